// model.pt in torch.save's layout: read back by LibTorch's own unpickler, by a
// weights-only emulation in Python's standard library (checkpoint_test.cpp),
// and by a real PyTorch with weights_only=True when one is installed.
#include "model/torch_save.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "model/checkpoint.h"
#include "temp_dir.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {
namespace {

NamedTensors sample_tensors() {
  torch::manual_seed(1);
  return {{"conv.weight", torch::randn({2, 3, 3, 3, 3})},
          {"conv.bias", torch::randn({2}, torch::kDouble)},
          {"bn.num_batches_tracked", torch::tensor(int64_t{5'000'000'000})},
          {"strided", torch::arange(12, torch::kFloat).view({3, 4}).t()},
          {"empty", torch::zeros({0, 4})}};
}

TEST(TorchSave, LibTorchsUnpicklerReadsTheDictBack) {
  const NamedTensors tensors = sample_tensors();
  const std::string bytes = torch_save_bytes(tensors);
  const torch::IValue value = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
  ASSERT_TRUE(value.isGenericDict());
  const auto dict = value.toGenericDict();
  ASSERT_EQ(dict.size(), tensors.size());
  for (const auto& [name, tensor] : tensors) {
    const torch::Tensor back = dict.at(name).toTensor();
    EXPECT_EQ(back.scalar_type(), tensor.scalar_type()) << name;
    EXPECT_TRUE(torch::equal(back, tensor)) << name;
  }
}

TEST(TorchSave, IsAZipOfAlignedStoredRecords) {
  const std::string bytes = torch_save_bytes(sample_tensors());
  EXPECT_EQ(bytes.substr(0, 4), std::string("PK\x03\x04", 4));
  // Every local header's data starts at a multiple of 64 (PyTorch mmaps records).
  size_t at = 0, records = 0;
  while (bytes.compare(at, 4, std::string("PK\x03\x04", 4)) == 0) {
    auto u16 = [&](size_t i) {
      return static_cast<size_t>(static_cast<unsigned char>(bytes[i])) |
             static_cast<size_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    };
    auto u32 = [&](size_t i) { return u16(i) | u16(i + 2) << 16; };
    EXPECT_EQ(u16(at + 8), 0u);  // stored, not compressed
    const size_t data = at + 30 + u16(at + 26) + u16(at + 28);
    EXPECT_EQ(data % 64, 0u) << bytes.substr(at + 30, u16(at + 26));
    at = data + u32(at + 18);
    ++records;
  }
  EXPECT_EQ(records, 2 + 5 + 1u);  // data.pkl, byteorder, 5 tensors, version
  EXPECT_EQ(bytes.compare(at, 4, std::string("PK\x01\x02", 4)), 0);
}

TEST(TorchSave, CheckpointsInTheEarlierTorchScriptPickleStillLoad) {
  test::TempDir dir;
  torch::manual_seed(6);
  UNet net(UNetOptions{6, 2, 2});
  c10::Dict<std::string, torch::Tensor> dict;
  for (const auto& p : net->named_parameters()) dict.insert(p.key(), p.value().detach());
  for (const auto& b : net->named_buffers()) dict.insert(b.key(), b.value().detach());
  const std::vector<char> old = torch::pickle_save(dict);
  write_text_atomically(dir / "model.pt", std::string(old.begin(), old.end()));
  UNet back(UNetOptions{6, 2, 2});
  load_weights(dir / "model.pt", back);
  for (const auto& p : net->named_parameters())
    EXPECT_TRUE(torch::equal(p.value(), back->named_parameters()[p.key()])) << p.key();
  // And the new layout loads identically.
  save_weights(dir / "model.pt", net);
  UNet again(UNetOptions{6, 2, 2});
  load_weights(dir / "model.pt", again);
  for (const auto& b : net->named_buffers())
    EXPECT_TRUE(torch::equal(b.value(), again->named_buffers()[b.key()])) << b.key();
}

TEST(TorchSave, UnsupportedTypesAreRefused) {
  EXPECT_THROW(torch_save_bytes({{"half", torch::zeros({2}, torch::kHalf)}}), Error);
}

// A real PyTorch, as users load it: weights_only=True (the default since 2.6).
TEST(TorchSave, RealPyTorchLoadsTheCheckpointWithWeightsOnly) {
  test::TempDir dir;
  torch::manual_seed(4);
  UNet net(UNetOptions{6, 2, 2});
  save_weights(dir / "model.pt", net);
  save_safetensors(dir / "model.safetensors", net);
  const std::string out = dir / "out.txt";
  // Debian's python3-torch is visible to Debian's own interpreter.
  const std::string python =
      std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  const std::string cmd = python + " " LRPSEG_SOURCE_DIR "/tests/model/torch_load_check.py " +
                          dir.path().string() + " b1.conv1.weight > " + out + " 2>&1";
  const int status = std::system(cmd.c_str());
  if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
    GTEST_SKIP() << "python3-torch not installed; the independent reader checks model.pt";
  }
  ASSERT_EQ(status, 0) << read_text(out);
  std::istringstream in(read_text(out));
  size_t count;
  double sum;
  std::string safetensors_sum;
  in >> count >> sum >> safetensors_sum;
  EXPECT_EQ(count, net->named_parameters().size() + net->named_buffers().size());
  const double expected = net->named_parameters()["b1.conv1.weight"].sum().item<double>();
  EXPECT_NEAR(sum, expected, 1e-5);
  if (safetensors_sum != "-") {
    EXPECT_NEAR(std::stod(safetensors_sum), expected, 1e-5);
  }
}

}  // namespace
}  // namespace lrpseg
