// Bad input: a one-line error naming the file/option, a non-zero exit, no
// partial output, no crash.
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_expect.h"
#include "data/synth.h"
#include "io/isles.h"
#include "io/nifti.h"
#include "io/raw_nifti.h"
#include "run_command.h"
#include "temp_dir.h"
#include "util/atomic_file.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;
using test::expect_clean_error;
using test::expect_usage_error;
using test::lines;
using test::run_lrpseg;
using test::train_tiny;

TEST(BadInput, MissingDataDirectoryNamesItAndWritesNothing) {
  test::TempDir dir;
  auto r = run_lrpseg("train --data " + (dir / "nope") + " --out " + (dir / "m") + " --quiet");
  expect_clean_error(r, dir / "nope");
  EXPECT_FALSE(fs::exists(dir / "m"));
}

TEST(BadInput, NonNiftiAndTruncatedFilesAreNamed) {
  test::TempDir dir;
  write_text_atomically(dir / "text.nii", "this is not a NIfTI file, just some text\n");
  expect_clean_error(run_lrpseg("info " + (dir / "text.nii")), dir / "text.nii");

  write_nifti(dir / "full.nii", torch::rand({4, 5, 6}), make_nifti_header({4, 5, 6}, {1, 1, 1}),
              OutputType::Float32);
  auto bytes = read_text(dir / "full.nii");
  write_text_atomically(dir / "cut.nii", bytes.substr(0, bytes.size() - 40));
  expect_clean_error(run_lrpseg("info " + (dir / "cut.nii")), dir / "cut.nii");
}

TEST(BadInput, InfoDescribesNanVoxelsThatDataCommandsRefuse) {
  test::TempDir dir;
  std::vector<float> values(4 * 5 * 6, 1.0f);
  values[7] = std::nanf("");
  test::write_raw_nifti(dir / "nan.nii", {{6, 5, 4}}, values);
  const auto r = run_lrpseg("info " + (dir / "nan.nii"));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("\"nan_voxels\": 1"), std::string::npos) << r.output;
  // A case with that volume as its ADC map: training names the file and the count.
  synthesize_isles({dir / "data", 1, 0, 1});
  std::string adc;
  for (const auto& e : fs::recursive_directory_iterator(dir / "data"))
    if (e.path().string().find("MR_ADC") != std::string::npos && e.is_regular_file())
      adc = e.path().string();
  ASSERT_FALSE(adc.empty());
  // The same volume and geometry as float32 with one NaN, written through nifticlib.
  const Volume v = read_nifti(adc);
  nifti_image* nim = nifti_copy_nim_info(static_cast<const nifti_image*>(v.header.image.get()));
  nim->datatype = DT_FLOAT32;
  nifti_datatype_sizes(nim->datatype, &nim->nbyper, &nim->swapsize);
  nim->scl_slope = 1;
  nim->scl_inter = 0;
  std::vector<float> voxels(v.data.data_ptr<float>(), v.data.data_ptr<float>() + v.data.numel());
  voxels[3] = std::nanf("");
  nim->data = voxels.data();
  fs::remove(adc);
  nifti_set_filenames(nim, adc.c_str(), 0, 1);
  nifti_image_write(nim);
  nim->data = nullptr;
  nifti_image_free(nim);
  const auto t = train_tiny(dir);
  expect_clean_error(t, adc);
  EXPECT_NE(t.output.find("1 NaN"), std::string::npos) << t.output;
  EXPECT_FALSE(fs::exists(dir / "m"));
  // With --nan-to-num the voxel reads as 0 and training runs.
  const auto ok = train_tiny(dir, " --nan-to-num");
  EXPECT_EQ(ok.status, 0) << ok.output;
  EXPECT_TRUE(fs::exists(dir / "m/model.json"));
}

TEST(BadInput, UnknownOptionValuesNameTheOption) {
  test::TempDir dir;
  std::string base = "train --data " + dir.path().string() + " --out " + (dir / "m") + " ";
  expect_clean_error(run_lrpseg(base + "--loss focal"), "--loss");
  expect_clean_error(run_lrpseg(base + "--size 19x48"), "--size");
  expect_clean_error(run_lrpseg(base + "--interpolation cubic"), "--interpolation");
  expect_clean_error(run_lrpseg(base + "--cases 3-1"), "--cases");
  expect_clean_error(run_lrpseg(base + "--size 4x8x8"), "--size");
  EXPECT_FALSE(fs::exists(dir / "m"));
}

TEST(BadInput, UnknownLrpAndAttributionOptionsNameTheOption) {
  test::TempDir dir;
  const std::string base = "explain --model " + (dir / "m") + " --data " + (dir / "data") +
                           " --out " + (dir / "out") + " ";
  expect_clean_error(run_lrpseg(base + "--method lrp,saliency"), "--method");
  expect_clean_error(run_lrpseg(base + "--composite zennit"), "--composite");
  expect_clean_error(run_lrpseg(base + "--precision half"), "--precision");
  expect_clean_error(run_lrpseg(base + "--rule magic"), "--rule");
  expect_clean_error(run_lrpseg(base + "--ig-steps 0"), "--ig-steps");
  expect_clean_error(run_lrpseg(base + "--rule gamma --gamma -1"), "--gamma");
  expect_clean_error(run_lrpseg(base + "--rule alpha-beta --alpha 2 --beta 2"), "--alpha");
  expect_clean_error(run_lrpseg(base + "--occlusion-patch 1x8"), "--occlusion-patch");
  expect_clean_error(run_lrpseg(base + "--robustness-sigma 1.5"), "--robustness-sigma");
  expect_clean_error(run_lrpseg(base + "--robustness-sigma 1e-4,1e-2"), "--robustness-sigma");
  expect_clean_error(run_lrpseg(base + "--robustness-samples 4"), "--robustness-samples");
  expect_clean_error(run_lrpseg("sweep --model " + (dir / "m") + " --data " + (dir / "data") +
                                " --out " + (dir / "out") + " --composite zennit"),
                     "--composite");
  expect_clean_error(run_lrpseg("bench lrp --precision half"), "--precision");
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(BadInput, ImportRefusesMissingAndForeignFilesAndWritesNothing) {
  test::TempDir dir;
  const std::string out = " --out " + (dir / "m");
  expect_clean_error(run_lrpseg("import --weights " + (dir / "none.pt") + " --width 2" + out),
                     "none.pt");
  write_text_atomically(dir / "text.pt", "not a zip");
  expect_clean_error(run_lrpseg("import --weights " + (dir / "text.pt") + " --width 2" + out),
                     "text.pt");
  expect_clean_error(
      run_lrpseg("import --weights " + (dir / "text.pt") + " --width 2 --size 4x8" + out),
      "--size");
  EXPECT_FALSE(fs::exists(dir / "m"));
}

TEST(BadInput, UnknownEvidenceModalityNamesTheOptionAndWritesNothing) {
  test::TempDir dir;
  auto r = run_lrpseg("synth --out " + dir.path().string() + " --evidence FOO");
  expect_clean_error(r, "--evidence");
  EXPECT_NE(r.output.find("FOO"), std::string::npos) << r.output;
  const std::string base = "synth --out " + (dir / "data") + " --cases 1 --evidence ";
  expect_clean_error(run_lrpseg(base + "MTT,MTT"), "--evidence");
  expect_clean_error(run_lrpseg(base + "''"), "--evidence");
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(BadInput, EvaluateOptionsNameTheOptionAndWriteNothing) {
  test::TempDir dir;
  const std::string base = "evaluate --model " + (dir / "m") + " --data " + (dir / "data") +
                           " --out " + (dir / "out") + " ";
  expect_clean_error(run_lrpseg(base + "--metrics localisation,beauty"), "--metrics");
  expect_clean_error(run_lrpseg(base + "--method lrp,saliency"), "--method");
  expect_clean_error(run_lrpseg(base + "--select --objective beauty"), "--objective");
  expect_clean_error(run_lrpseg(base + "--select --alpha-grid 0,0.5"), "--alpha-grid");
  expect_clean_error(run_lrpseg(base + "--select --alpha-grid 24:0.01-2"), "--alpha-grid");
  expect_clean_error(run_lrpseg(base + "--perturb gauss"), "--perturb");
  expect_clean_error(run_lrpseg(base + "--robustness-sigma 0.01,x"), "--robustness-sigma");
  expect_clean_error(run_lrpseg(base + "--evidence MTT,FOO"), "--evidence");
  expect_clean_error(run_lrpseg(base + "--randomisation-stages head,b9"), "--randomisation-stages");
  EXPECT_FALSE(fs::exists(dir / "out"));
}

// Debian's LibTorch is CPU-only: every computing command refuses a CUDA device
// while it reads its options, before anything is written.
TEST(BadInput, DeviceThisLibTorchLacksIsRefusedByEveryCommand) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "this LibTorch has a GPU";
  test::TempDir dir;
  const std::string data = " --data " + (dir / "data"), model = " --model " + (dir / "m");
  const std::string out = " --out " + (dir / "out");
  for (const std::string& command :
       {"train" + data + out, "segment" + model + data + out, "explain" + model + data + out,
        "sweep" + model + data + out, "evaluate" + model + data + out,
        "figure" + model + data + out + "/f.png", std::string("bench lrp --width 2"),
        std::string("bench train --width 2"), std::string("bench attribution --width 2"),
        "demo" + out, "experiment --config " + (dir / "none.json") + out}) {
    SCOPED_TRACE(command);
    expect_usage_error(run_lrpseg(command + " --device cuda"),
                       "--device 'cuda': this LibTorch has no CUDA");
    expect_usage_error(run_lrpseg(command + " --device tpu"),
                       "--device 'tpu': expected cpu, cuda or cuda:N");
  }
  expect_usage_error(run_lrpseg("train" + data + out + " --amp"),
                     "--amp: bfloat16 autocast is "
                     "for CUDA");
  expect_usage_error(run_lrpseg("bench train --width 2 --amp"), "--amp");
  // A config's "device" is checked with the config, naming file and key (exit 1).
  nlohmann::json config =
      nlohmann::json::parse(read_text(std::string(LRPSEG_SOURCE_DIR) + "/configs/demo.json"));
  config["device"] = "cuda";
  write_text_atomically(dir / "cuda.json", config.dump());
  expect_clean_error(run_lrpseg("experiment --config " + (dir / "cuda.json") + out),
                     dir / "cuda.json" + ": device 'cuda': this LibTorch has no CUDA");
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(BadInput, CheckpointOfAnotherArchitectureIsRejected) {
  test::TempDir dir;
  synthesize_isles({dir / "data", 1, 0, 1});
  auto r = train_tiny(dir);
  ASSERT_EQ(r.status, 0) << r.output;
  // model.json claims width 4, model.pt holds width 2.
  auto info = nlohmann::json::parse(read_text(dir / "m/model.json"));
  info["architecture"]["width"] = 4;
  write_text_atomically(dir / "m/model.json", info.dump());
  r = run_lrpseg("segment --model " + (dir / "m") + " --data " + (dir / "data") + " --out " +
                 (dir / "seg") + " --quiet");
  expect_clean_error(r, "model.pt");
  EXPECT_FALSE(fs::exists(dir / "seg"));
}

TEST(ExitStatus, UsageErrorsExitTwoRuntimeErrorsOne) {
  test::TempDir dir;
  const std::string train = "train --data " + dir.path().string() + " --out " + (dir / "m") + " ";
  for (const std::string& usage :
       std::vector<std::string>{"frobnicate", train + "--bogus", train + "--loss focal",
                                train + "--cases 3-1", train + "--size 4x8", train + "--threads -1",
                                "explain --model m --data d --out o --method lrp,saliency",
                                "explain --model m --data d --out o --occlusion-channels some",
                                "figure --model m --data d --case 1 --out f.png --display LPS",
                                "demo --out o --display upside-down"}) {
    const auto r = run_lrpseg(usage);
    EXPECT_EQ(r.status, 2) << usage << ": " << r.output;
    EXPECT_EQ(lines(r.output), 1) << usage << ": " << r.output;
  }
  write_text_atomically(dir / "text.nii", "not a NIfTI file\n");
  for (const std::string& runtime :
       std::vector<std::string>{"train --data " + (dir / "nope") + " --out " + (dir / "m"),
                                "info " + (dir / "text.nii")}) {
    EXPECT_EQ(run_lrpseg(runtime).status, 1) << runtime;
  }
  const auto help = run_lrpseg("--help");
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.output.find("2 usage error"), std::string::npos) << help.output;
  const auto choices = run_lrpseg("train --help");
  EXPECT_NE(choices.output.find("{ce,dice,ce+dice}"), std::string::npos) << choices.output;
  EXPECT_FALSE(fs::exists(dir / "m"));
}

TEST(ConfigFile, JsonOptionsAreReadAndTheCommandLineOverridesThem) {
  test::TempDir dir;
  write_text_atomically(
      dir / "c.json",
      nlohmann::json{{"out", dir / "data"}, {"cases", 3}, {"test-cases", 0}, {"seed", 4}}.dump());
  const auto r = run_lrpseg("synth --config " + (dir / "c.json") + " --cases 1");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir / "data/training_1"));
  EXPECT_FALSE(fs::exists(dir / "data/training_2"));  // --cases 1 beat the file's 3

  write_text_atomically(dir / "typo.json",
                        nlohmann::json{{"out", dir / "d2"}, {"colour", "red"}}.dump());
  auto bad = run_lrpseg("synth --config " + (dir / "typo.json"));
  expect_usage_error(bad, "colour");
  write_text_atomically(dir / "broken.json", "{\"out\": ");
  bad = run_lrpseg("synth --config " + (dir / "broken.json"));
  expect_usage_error(bad, "--config");
  bad = run_lrpseg("explain --config " + (dir / "none.json"));
  expect_usage_error(bad, "none.json");
  EXPECT_FALSE(fs::exists(dir / "d2"));
}

// One case three ways: from the ISLES folder, as --images in another order, and
// from an nnU-Net raw copy of the dataset; the predictions are the same.
TEST(Cli, ImagesAndNnUnetLayoutGiveTheSamePredictionAsTheIslesFolder) {
  test::TempDir dir;
  synthesize_isles({dir / "data", 1, 0, 6});
  auto r = train_tiny(dir);
  ASSERT_EQ(r.status, 0) << r.output;
  r = run_lrpseg("segment --model " + (dir / "m") + " --data " + (dir / "data") + " --out " +
                 (dir / "isles") + " --quiet");
  ASSERT_EQ(r.status, 0) << r.output;
  const CaseFiles c = discover_isles(dir / "data").cases[0];
  const std::string images = c.modality_paths[5] + "," + c.modality_paths[0] + "," +
                             c.modality_paths[1] + "," + c.modality_paths[2] + "," +
                             c.modality_paths[3] + "," + c.modality_paths[4];
  r = run_lrpseg("segment --model " + (dir / "m") + " --images " + images +
                 " --modalities TTP,ADC,MTT,rCBF,rCBV,Tmax --label " + c.ot_path +
                 " --case-name c1 --out " + (dir / "files") + " --quiet");
  ASSERT_EQ(r.status, 0) << r.output;
  const torch::Tensor isles = read_nifti((dir / "isles/training_1.nii.gz")).data;
  EXPECT_TRUE(torch::equal(read_nifti((dir / "files/c1.nii.gz")).data, isles));
  EXPECT_NE(read_text(dir / "files/dice.csv").find("c1,"), std::string::npos);

  // nnU-Net raw: channels numbered in another order, named in dataset.json.
  fs::create_directories(dir / "nnu/imagesTr");
  fs::create_directories(dir / "nnu/labelsTr");
  const std::vector<int> channel{3, 0, 5, 1, 4, 2};  // ADC is _0003, MTT _0000, …
  nlohmann::json names;
  for (size_t m = 0; m < 6; ++m) {
    names[std::to_string(channel[m])] = kModalities[m];
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "_%04d.nii.gz", channel[m]);
    write_nifti(dir / ("nnu/imagesTr/ISLES_0001" + std::string(suffix)),
                read_nifti(c.modality_paths[m]).data, read_nifti_header(c.modality_paths[m]),
                OutputType::Float32);
  }
  write_nifti(dir / "nnu/labelsTr/ISLES_0001.nii.gz", read_nifti(c.ot_path).data,
              read_nifti_header(c.ot_path), OutputType::Label);
  write_text_atomically(
      dir / "nnu/dataset.json",
      nlohmann::json{{"channel_names", names}, {"file_ending", ".nii.gz"}}.dump());
  r = run_lrpseg("segment --model " + (dir / "m") + " --data " + (dir / "nnu") + " --out " +
                 (dir / "nnu_seg") + " --quiet");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(torch::equal(read_nifti((dir / "nnu_seg/ISLES_0001.nii.gz")).data, isles));

  const std::string model = "segment --model " + (dir / "m") + " --out " + (dir / "bad") + " ";
  auto bad = run_lrpseg(model + "--images " + c.modality_paths[0]);
  expect_usage_error(bad, "--images");
  bad = run_lrpseg(model);
  expect_usage_error(bad, "--data");
  bad = run_lrpseg(model + "--images " + images + " --modalities ADC,ADC,MTT,rCBF,rCBV,Tmax");
  expect_usage_error(bad, "--modalities");
  EXPECT_FALSE(fs::exists(dir / "bad"));
}

TEST(Cli, InfoPrintsThePaperModelsParameterCount) {
  auto r = run_lrpseg("info --model-width 32");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.output.find("19077158"), std::string::npos) << r.output;
}

TEST(Cli, TrainingKilledMidwayResumesAndLosesAtMostOneEpoch) {
  test::TempDir dir;
  synthesize_isles({dir / "data", 2, 0, 5});
  std::string args = "train --data " + (dir / "data") + " --out " + (dir / "m") +
                     " --width 2 --size 4x16x16 --threads 1 --quiet --epochs ";
  // Start a long run in the background and kill it hard once epoch 2 is checkpointed. The
  // wait is on model.json, the file a checkpoint commits last (train_log.csv lands before it).
  std::string command = "( " + std::string(LRPSEG_BINARY) + " " + args + "1000 & pid=$!; " +
                        "for i in $(seq 1200); do grep -qE '\"epoch\": ([2-9]|[1-9][0-9])' " +
                        (dir / "m/model.json") +
                        " 2>/dev/null && break; sleep 0.05; done; kill -9 $pid; wait $pid ) "
                        ">/dev/null 2>&1";
  std::system(command.c_str());
  auto info = nlohmann::json::parse(read_text(dir / "m/model.json"));
  int done = info["epoch"];
  ASSERT_GE(done, 2);
  auto r = run_lrpseg(args + std::to_string(done + 2) + " --resume");
  ASSERT_EQ(r.status, 0) << r.output;
  auto rows = read_text(dir / "m/train_log.csv");
  EXPECT_EQ(lines(rows), done + 2 + 1);  // header + one row per epoch
  EXPECT_EQ(nlohmann::json::parse(read_text(dir / "m/model.json"))["epoch"], done + 2);
  EXPECT_FALSE(fs::exists(dir / "m/.staging"));
}

}  // namespace
}  // namespace lrpseg
