// Reading torch.save'd state dicts (OrderedDict included, which LibTorch reads
// as None) and `lrpseg import`: from files a real PyTorch wrote when one is
// installed, from lrpseg's own writer otherwise, and bad files refused.
#include "model/torch_load.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>

#include "error_of.h"
#include "model/checkpoint.h"
#include "model/import_weights.h"
#include "model/paper_code_names.h"
#include "model/safetensors.h"
#include "temp_dir.h"
#include "util/atomic_file.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;

NamedTensors state_of(UNet& net) {
  NamedTensors out;
  for (const auto& p : net->named_parameters()) out.emplace_back(p.key(), p.value().detach());
  for (const auto& b : net->named_buffers()) out.emplace_back(b.key(), b.value().detach());
  return out;
}

void expect_same_weights(UNet& a, UNet& b) {
  for (const auto& p : a->named_parameters())
    EXPECT_TRUE(torch::equal(p.value(), b->named_parameters()[p.key()])) << p.key();
  for (const auto& x : a->named_buffers())
    EXPECT_TRUE(torch::equal(x.value(), b->named_buffers()[x.key()])) << x.key();
}

TEST(TorchLoad, ReadsWhatTorchSaveLayoutHolds) {
  torch::manual_seed(1);
  const NamedTensors tensors = {{"a", torch::randn({2, 3})},
                                {"b", torch::arange(12, torch::kDouble).view({3, 4}).t()},
                                {"n", torch::tensor(int64_t{-5'000'000'000})},
                                {"e", torch::zeros({0, 2})}};
  const NamedTensors back = read_torch_save(torch_save_bytes(tensors), "w.pt");
  ASSERT_EQ(back.size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    EXPECT_EQ(back[i].first, tensors[i].first);
    EXPECT_EQ(back[i].second.scalar_type(), tensors[i].second.scalar_type());
    EXPECT_TRUE(torch::equal(back[i].second, tensors[i].second)) << tensors[i].first;
  }
  EXPECT_NE(test::error_of([] {
              read_torch_save("not a zip file at all", "w.pt");
            }).find("w.pt: not a torch.save zip archive"),
            std::string::npos);
}

// Found by fuzz_checkpoint: zip offsets that point past the end of the file
// threw std::out_of_range (an abort in the CLI) instead of lrpseg::Error.
TEST(TorchLoad, ZipOffsetsPastTheEndAreCorruptNotACrash) {
  std::string zip("PK\x03\x04", 4);
  zip += std::string(26, '\0');
  std::string end_of_directory("PK\x05\x06", 4);
  end_of_directory += std::string(18, '\0');
  end_of_directory[10] = 1;                              // one record
  end_of_directory[16] = end_of_directory[17] = '\x7f';  // its directory far past the end
  const std::string message =
      test::error_of([&] { read_torch_save(zip + end_of_directory, "m.pt"); });
  EXPECT_EQ(message, "m.pt: corrupt zip directory");
}

TEST(TorchLoad, ImportNamesEveryMissingExtraAndMisShapedTensorAndWritesNothing) {
  test::TempDir dir;
  UNet net(UNetOptions{6, 2, 2});
  NamedTensors state = state_of(net);
  state.erase(state.begin());  // one missing
  state.emplace_back("decoder.extra", torch::zeros({1}));
  for (auto& [name, t] : state) {
    if (name == "head_conv.bias") t = torch::zeros({3});
  }
  write_text_atomically(dir / "w.safetensors", safetensors_bytes(state));
  ImportOptions o;
  o.weights = dir / "w.safetensors";
  o.width = 2;
  o.out_dir = dir / "m";
  const std::string e = test::error_of([&] { import_checkpoint(o); });
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  EXPECT_NE(e.find("not a width-2 lrpseg U-Net"), std::string::npos) << e;
  EXPECT_NE(e.find("missing " + state_of(net).front().first), std::string::npos) << e;
  EXPECT_NE(e.find("extra decoder.extra"), std::string::npos) << e;
  EXPECT_NE(e.find("mis-shaped head_conv.bias [3] (expected [2])"), std::string::npos) << e;
  EXPECT_FALSE(fs::exists(dir / "m"));
  o.width = 4;  // every tensor mis-shaped for another width
  EXPECT_NE(test::error_of([&] { import_checkpoint(o); }).find("width-4"), std::string::npos);
}

TEST(TorchLoad, ImportedSafetensorsCheckpointEqualsTheOriginal) {
  test::TempDir dir;
  torch::manual_seed(7);
  UNet net(UNetOptions{6, 2, 2});
  save_safetensors(dir / "w.safetensors", net);
  ImportOptions o;
  o.weights = dir / "w.safetensors";
  o.width = 2;
  o.size_dhw = {4, 8, 8};
  o.out_dir = dir / "m";
  import_checkpoint(o);
  LoadedModel m = load_checkpoint(dir / "m");
  expect_same_weights(net, m.net);
  EXPECT_EQ(m.info["preprocessing"]["size_dhw"], nlohmann::json::array({4, 8, 8}));
  EXPECT_TRUE(fs::exists(dir / "m/model.safetensors"));
  EXPECT_NE(test::error_of([&] { import_checkpoint(o); }).find("already holds a checkpoint"),
            std::string::npos);
}

// Files written by a real PyTorch: an OrderedDict with _metadata (what
// torch.save(model.state_dict()) writes), a plain dict with a strided tensor,
// and a pickled module, which must be refused.
TEST(TorchLoad, StateDictsSavedByRealPyTorchImportBitForBit) {
  test::TempDir dir;
  torch::manual_seed(8);
  UNet net(UNetOptions{6, 2, 2});
  save_weights(dir / "model.pt", net);
  const std::string python =
      fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";  // Debian's python3-torch
  const std::string cmd = python + " " LRPSEG_SOURCE_DIR "/tests/model/torch_resave.py " +
                          dir.path().string() + " > " + (dir / "log.txt") + " 2>&1";
  const int status = std::system(cmd.c_str());
  if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
    GTEST_SKIP() << "python3-torch not installed; TorchLoad.ReadsWhatTorchSaveLayoutHolds covers "
                    "the reader";
  }
  ASSERT_EQ(status, 0) << read_text(dir / "log.txt");
  for (const char* file : {"ordered.pt", "plain.pt"}) {
    ImportOptions o;
    o.weights = dir / file;
    o.width = 2;
    o.out_dir = dir / (std::string("m_") + file);
    import_checkpoint(o);
    LoadedModel m = load_checkpoint(o.out_dir);
    expect_same_weights(net, m.net);
  }
  EXPECT_NE(test::error_of([&] {
              read_weights_file(dir / "module.pt");
            }).find("unsupported global 'torch.nn.modules.linear.Linear'"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              read_weights_file(dir / "legacy.pt");
            }).find("legacy torch.save format (PyTorch < 1.6)"),
            std::string::npos);
  ImportOptions paper;
  paper.weights = dir / "paper.model";
  paper.width = 2;
  paper.names = TensorNames::PaperCode;
  paper.out_dir = dir / "m_paper";
  import_checkpoint(paper);
  LoadedModel m = load_checkpoint(paper.out_dir);
  expect_same_weights(net, m.net);
  EXPECT_EQ(m.info["imported_names"], "paper-code");
}

TEST(TorchLoad, PaperCodeNamesMapToLrpsegs) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"cblocks1.conv_1_0.weight", "b1.conv1.weight"},
      {"cblocks4.bn3d_4_1.running_mean", "b4.bn2.running_mean"},
      {"cblocks5.conv_3b_1.bias", "b5.conv2.bias"},
      {"cblocks7.bn3d_1b_0.num_batches_tracked", "b7.bn1.num_batches_tracked"},
      {"deconv2.weight", "up2.weight"},
      {"convf.bias", "head_conv.bias"},
      {"bn.running_var", "head_bn.running_var"}};
  for (const auto& [paper, lrpseg] : cases) {
    EXPECT_EQ(lrpseg_name_from_paper_code(paper).value_or("none"), lrpseg) << paper;
  }
  for (const char* foreign : {"cblocks5.conv_3_0.weight", "cblocks8.conv_1_0.weight",
                              "deconv1.bias", "b1.conv1.weight", "cblocks1.conv_1_2.weight"}) {
    EXPECT_FALSE(lrpseg_name_from_paper_code(foreign).has_value()) << foreign;
  }
  EXPECT_NE(test::error_of([] { parse_tensor_names("pytorch"); }).find("--names"),
            std::string::npos);
}

TEST(TorchLoad, LegacyTorchSaveFilesAreRefusedWithAHint) {
  const std::string legacy("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.rest", 19);
  EXPECT_NE(test::error_of([&] {
              read_torch_save(legacy, "old.pt");
            }).find("old.pt: legacy torch.save format"),
            std::string::npos);
}

}  // namespace
}  // namespace lrpseg
