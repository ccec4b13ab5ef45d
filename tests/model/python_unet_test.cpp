// python/lrpseg_unet.py against lrpseg with a real PyTorch, both directions:
// lrpseg's checkpoint in Python gives lrpseg's output, and a network initialised
// in Python, saved with torch.save(state_dict()) and imported, gives Python's.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>

#include "model/checkpoint.h"
#include "model/import_weights.h"
#include "model/torch_load.h"
#include "temp_dir.h"
#include "util/atomic_file.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;

torch::Tensor tensor_named(const NamedTensors& tensors, const std::string& name) {
  for (const auto& [n, t] : tensors)
    if (n == name) return t;
  ADD_FAILURE() << "no tensor " << name;
  return {};
}

TEST(PythonUNet, ForwardEqualsLrpsegInBothDirections) {
  test::TempDir dir;
  torch::manual_seed(10);
  UNet net(UNetOptions{6, 2, 2});
  {
    torch::NoGradGuard no_grad;
    for (auto& b : net->named_buffers()) {
      if (b.key().find("running_mean") != std::string::npos) b.value().uniform_(-0.5, 0.5);
      if (b.key().find("running_var") != std::string::npos) b.value().uniform_(0.5, 1.5);
    }
    net->head_bn->bias.fill_(0.3);  // a positive output to compare
  }
  net->eval();
  CheckpointFiles files;
  files.info = {{"architecture", architecture_json(net->options())}};
  save_checkpoint(dir / "checkpoint", net, files);
  const torch::Tensor x = torch::rand({1, 6, 5, 11, 10});  // odd sizes: ceil pooling, crops
  torch::Tensor y;
  {
    torch::NoGradGuard no_grad;
    y = net->forward(x);
  }
  write_text_atomically(dir / "io.pt", torch_save_bytes({{"x", x}, {"y", y}}));

  const std::string python =
      fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";  // Debian's python3-torch
  const std::string cmd = python + " " LRPSEG_SOURCE_DIR "/tests/model/python_unet_check.py " +
                          LRPSEG_SOURCE_DIR " " + dir.path().string() + " > " + (dir / "out.txt") +
                          " 2>&1";
  const int status = std::system(cmd.c_str());
  if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
    GTEST_SKIP() << "python3-torch not installed";
  }
  ASSERT_EQ(status, 0) << read_text(dir / "out.txt");
  EXPECT_GT(y.abs().max().item<double>(), 0.1);
  EXPECT_LE(std::stod(read_text(dir / "out.txt")), 1e-5);  // lrpseg → Python

  ImportOptions o;  // Python → lrpseg
  o.weights = dir / "python.pt";
  o.width = 2;
  o.out_dir = dir / "imported";
  import_checkpoint(o);
  LoadedModel imported = load_checkpoint(o.out_dir);
  imported.net->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor expected = tensor_named(read_weights_file(dir / "python_out.pt"), "y");
  EXPECT_LE((imported.net->forward(x) - expected).abs().max().item<double>(), 1e-5);
}

}  // namespace
}  // namespace lrpseg
