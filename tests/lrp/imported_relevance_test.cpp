// The target of `lrpseg import`: an imported checkpoint explains exactly as
// the network it came from, bit for bit.
#include <gtest/gtest.h>

#include "lrp/relevance.h"
#include "model/checkpoint.h"
#include "model/import_weights.h"
#include "temp_dir.h"

namespace lrpseg {
namespace {

TEST(ImportedRelevance, EqualsTheOriginalsBitForBit) {
  test::TempDir dir;
  torch::manual_seed(9);
  UNet net(UNetOptions{6, 2, 2});
  net->eval();
  save_safetensors(dir / "w.safetensors", net);
  ImportOptions o;
  o.weights = dir / "w.safetensors";
  o.width = 2;
  o.out_dir = dir / "m";
  import_checkpoint(o);
  LoadedModel imported = load_checkpoint(dir / "m");
  imported.net->eval();
  LrpOptions lrp;
  lrp.precision = Precision::Double;
  lrp.filters = {Filter::raw(), Filter::pass(0, 0.2)};
  const torch::Tensor x = torch::rand({1, 6, 4, 8, 8});
  const Explanation a = explain(net, x, lrp), b = explain(imported.net, x, lrp);
  EXPECT_TRUE(torch::equal(a.relevance, b.relevance));
  EXPECT_GT(a.relevance.abs().sum().item<double>(), 0);
}

}  // namespace
}  // namespace lrpseg
