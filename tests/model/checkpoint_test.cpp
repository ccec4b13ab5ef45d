#include "model/checkpoint.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "temp_dir.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;

UNet tiny_net(int64_t width = 2) {
  UNet net(UNetOptions{6, 2, width});
  torch::NoGradGuard no_grad;
  for (auto& b : net->buffers()) {
    if (b.is_floating_point()) b.uniform_(0.5, 1.5);
  }
  return net;
}

nlohmann::json info_for(const UNet& net, int epoch) {
  return {{"architecture", architecture_json(net->options())}, {"epoch", epoch}};
}

bool same_state(UNet& a, UNet& b) {
  auto pa = a->named_parameters();
  for (const auto& p : b->named_parameters()) {
    if (!torch::equal(p.value(), pa[p.key()])) return false;
  }
  auto ba = a->named_buffers();
  for (const auto& p : b->named_buffers()) {
    if (!torch::equal(p.value(), ba[p.key()])) return false;
  }
  return true;
}

TEST(Checkpoint, RoundTripRestoresEveryParameterAndBuffer) {
  test::TempDir dir;
  torch::manual_seed(1);
  UNet net = tiny_net();
  save_checkpoint(dir / "m", net, {info_for(net, 3), nullptr, {{"train_log.csv", "epoch\n"}}});
  LoadedModel loaded = load_checkpoint(dir / "m");
  EXPECT_TRUE(same_state(net, loaded.net));
  EXPECT_EQ(loaded.info["epoch"], 3);
  EXPECT_EQ(read_text(dir / "m/train_log.csv"), "epoch\n");
  EXPECT_FALSE(fs::exists(dir / "m/.staging"));
}

TEST(Checkpoint, WeightsUseThePyTorchStateDictNames) {
  test::TempDir dir;
  UNet net = tiny_net();
  save_weights(dir / "model.pt", net);
  auto bytes = read_text(dir / "model.pt");
  auto dict = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end())).toGenericDict();
  EXPECT_TRUE(dict.contains("b1.conv1.weight"));
  EXPECT_TRUE(dict.contains("b4.bn2.running_var"));
  EXPECT_TRUE(dict.contains("up1.weight"));
  EXPECT_FALSE(dict.contains("up1.bias"));  // transposed convolutions have no bias
  EXPECT_TRUE(dict.contains("head_conv.weight"));
  EXPECT_EQ(dict.at("b1.conv1.weight").toTensor().sizes(), (std::vector<int64_t>{2, 6, 3, 3, 3}));
}

TEST(Checkpoint, WidthMismatchIsAnErrorNamingBothWidths) {
  test::TempDir dir;
  UNet net = tiny_net(2);
  save_checkpoint(dir / "m", net, {info_for(net, 1)});
  try {
    load_checkpoint(dir / "m", 4);
    FAIL();
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("width 2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("width 4"), std::string::npos) << msg;
  }
}

TEST(Checkpoint, WeightsOfAnotherArchitectureAreRejected) {
  test::TempDir dir;
  UNet small = tiny_net(2);
  save_weights(dir / "model.pt", small);
  UNet big(UNetOptions{6, 2, 4});
  try {
    load_weights(dir / "model.pt", big);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("architecture mismatch"), std::string::npos);
  }
}

TEST(Checkpoint, CorruptWeightsFileIsAnError) {
  test::TempDir dir;
  write_text_atomically(dir / "model.pt", "not a pickle");
  UNet net = tiny_net();
  EXPECT_THROW(load_weights(dir / "model.pt", net), Error);
}

TEST(Checkpoint, InterruptedSaveBeforeCommitKeepsThePreviousCheckpoint) {
  test::TempDir dir;
  torch::manual_seed(1);
  UNet first = tiny_net();
  save_checkpoint(dir / "m", first, {info_for(first, 1)});
  // A save killed while staging: files there but no completion marker.
  fs::create_directories(dir / "m/.staging");
  write_text_atomically(dir / "m/.staging/model.json", R"({"epoch": 2})");
  LoadedModel loaded = load_checkpoint(dir / "m");
  EXPECT_EQ(loaded.info["epoch"], 1);
  EXPECT_TRUE(same_state(first, loaded.net));
  EXPECT_FALSE(fs::exists(dir / "m/.staging"));
}

TEST(Checkpoint, InterruptedSaveAfterCommitMarkerRollsForward) {
  test::TempDir dir;
  torch::manual_seed(1);
  UNet first = tiny_net();
  save_checkpoint(dir / "m", first, {info_for(first, 1)});
  torch::manual_seed(2);
  UNet second = tiny_net();
  save_checkpoint(dir / "staged", second, {info_for(second, 2)});
  // Killed after the marker, with only model.pt moved into place.
  fs::create_directories(dir / "m/.staging");
  fs::copy_file(dir / "staged/model.json", dir / "m/.staging/model.json");
  fs::copy_file(dir / "staged/model.pt", dir / "m/model.pt", fs::copy_options::overwrite_existing);
  write_text_atomically(dir / "m/.staging/COMPLETE", "");
  LoadedModel loaded = load_checkpoint(dir / "m");
  EXPECT_EQ(loaded.info["epoch"], 2);
  EXPECT_TRUE(same_state(second, loaded.net));
}

// An independent reader: Python's standard library only (zipfile + pickle),
// emulating what torch.load does with the file.
TEST(Checkpoint, ModelPtIsReadableAsTorchLoadDictByAnIndependentReader) {
  if (std::system("python3 -c 'import zipfile, pickle' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3 not available";
  }
  test::TempDir dir;
  torch::manual_seed(3);
  UNet net = tiny_net();
  save_weights(dir / "model.pt", net);
  std::string out = dir / "out.txt";
  std::string cmd = "python3 " LRPSEG_SOURCE_DIR "/tests/model/read_model_pt.py " +
                    (dir / "model.pt") + " b1.conv1.weight > " + out;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::string text = read_text(out);
  // The script prints: number of tensors, then shape and sum of the named tensor.
  auto w = net->named_parameters()["b1.conv1.weight"];
  std::istringstream in(text);
  size_t count;
  std::string shape;
  double sum;
  in >> count >> shape >> sum;
  EXPECT_EQ(count, net->named_parameters().size() + net->named_buffers().size());
  EXPECT_EQ(shape, "2,6,3,3,3");
  EXPECT_NEAR(sum, w.sum().item<double>(), 1e-4);
}

}  // namespace
}  // namespace lrpseg
