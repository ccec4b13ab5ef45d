// Bad input files and folders: each a one-line error naming the file, a
// non-zero exit and no output folder — or, where the input is legitimate (a
// 4-D file with a singleton time axis, a case without lesion, a non-UTF-8
// path), a normal run.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_expect.h"
#include "data/synth.h"
#include "io/isles.h"
#include "io/nifti.h"
#include "run_command.h"
#include "temp_dir.h"
#include "util/atomic_file.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;
using test::expect_clean_error;
using test::expect_usage_error;
using test::run_lrpseg;
using test::train_tiny;

// A synthetic dataset of two training cases and a width-2 model trained on it.
struct Trained {
  test::TempDir dir;
  std::vector<CaseFiles> cases;
  Trained() {
    synthesize_isles({dir / "data", 2, 0, 9});
    EXPECT_EQ(train_tiny(dir).status, 0);
    cases = discover_isles(dir / "data").cases;
  }
  std::string segment(const std::string& out = "seg", const std::string& model = "m") const {
    return "segment --model " + (dir / model) + " --data " + (dir / "data") + " --out " +
           (dir / out) + " --quiet";
  }
};

// The bytes of a valid .nii with the header's dims replaced (NIfTI-1: dim[] at
// byte 40 as little-endian int16).
std::string with_dims(std::string bytes, std::vector<int16_t> dims) {
  dims.insert(dims.begin(), static_cast<int16_t>(dims.size()));
  dims.resize(8, 1);
  for (size_t k = 0; k < 8; ++k) {
    bytes[40 + 2 * k] = static_cast<char>(dims[k] & 0xff);
    bytes[41 + 2 * k] = static_cast<char>((dims[k] >> 8) & 0xff);
  }
  return bytes;
}

TEST(BadInputFiles, HugeDimensionsAreRefusedBeforeAllocating) {
  test::TempDir dir;
  write_nifti(dir / "small.nii", torch::rand({2, 3, 4}), make_nifti_header({2, 3, 4}, {1, 1, 1}),
              OutputType::Float32);
  const std::string small = read_text(dir / "small.nii");
  // 30000³ float32 voxels (98 TiB) claimed by a file of a few hundred bytes.
  write_text_atomically(dir / "huge.nii", with_dims(small, {30000, 30000, 30000}));
  auto r = run_lrpseg("info " + (dir / "huge.nii"));
  expect_clean_error(r, dir / "huge.nii");
  EXPECT_NE(r.output.find("30000x30000x30000 float32 grid needs 98.2 TiB"), std::string::npos)
      << r.output;
  // The same header as a header/image pair ("ni1", found by fuzz_nifti): the
  // voxels would come from beside it, and are checked there too.
  std::string pair = with_dims(small, {30000, 30000, 30000});
  pair.replace(344, 4, std::string("ni1\0", 4));
  write_text_atomically(dir / "pair.nii", pair);
  r = run_lrpseg("info " + (dir / "pair.nii"));
  expect_clean_error(r, dir / "pair.nii");
  EXPECT_NE(r.output.find("grid needs 98.2 TiB"), std::string::npos) << r.output;
  // Seven dimensions of 32767: the voxel count overflows 64 bits.
  write_text_atomically(dir / "overflow.nii",
                        with_dims(small, {32767, 32767, 32767, 32767, 32767, 32767, 32767}));
  r = run_lrpseg("info " + (dir / "overflow.nii"));
  expect_clean_error(r, "more than 16 EiB");
}

TEST(BadInputFiles, FourDimensionalModalitiesNeedASingletonTimeAxis) {
  Trained t;
  const std::string adc = t.cases[0].modality_paths[0];
  const Volume v = read_nifti(adc);
  const auto dhw = v.header.size_dhw();
  // x, y, z, t = 1: read as the 3-D volume it is.
  NiftiHeader four = v.header;
  write_nifti(adc, v.data.unsqueeze(0), resampled_header(v.header, dhw), OutputType::Float32);
  EXPECT_EQ(run_lrpseg(t.segment("seg1")).status, 0);
  // Two time points: refused, naming the file and its dims.
  write_nifti(adc, torch::stack({v.data, v.data}), resampled_header(v.header, dhw),
              OutputType::Float32);
  const auto r = run_lrpseg(t.segment("seg2"));
  expect_clean_error(r, adc);
  EXPECT_NE(r.output.find("a 3-D volume is required"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(t.dir / "seg2"));
}

TEST(BadInputFiles, ModalitiesOnDifferentAffinesAreRefused) {
  Trained t;
  const std::string mtt = t.cases[0].modality_paths[1];
  const Volume v = read_nifti(mtt);
  write_nifti(mtt, v.data, make_nifti_header(v.header.size_dhw(), {1, 1, 1}, {5, 0, 0}),
              OutputType::Float32);
  const auto r = run_lrpseg(t.segment());
  expect_clean_error(r, mtt);
  EXPECT_NE(r.output.find("co-registered"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(t.dir / "seg"));
}

TEST(BadInputFiles, AnAllZeroModalityIsRefusedAndAnEmptyLesionIsACase) {
  Trained t;
  // No lesion in OT: a legitimate case (Dice is undefined, not an error).
  const Volume ot = read_nifti(t.cases[1].ot_path);
  write_nifti(t.cases[1].ot_path, torch::zeros_like(ot.data), ot.header, OutputType::UInt8);
  auto r = run_lrpseg(t.segment("seg_empty_ot"));
  EXPECT_EQ(r.status, 0) << r.output;
  // A map of zeros: a failed export, refused with the file's name.
  const std::string rcbf = t.cases[0].modality_paths[2];
  const Volume v = read_nifti(rcbf);
  write_nifti(rcbf, torch::zeros_like(v.data), v.header, OutputType::Float32);
  r = run_lrpseg(t.segment("seg_zero"));
  expect_clean_error(r, rcbf + " holds only zeros");
  EXPECT_FALSE(fs::exists(t.dir / "seg_zero"));
}

TEST(BadInputFiles, OptionsThatCannotFitInMemoryAreRefusedUpFront) {
  test::TempDir dir;
  synthesize_isles({dir / "data", 1, 0, 1});
  const std::string train = "train --data " + (dir / "data") + " --out " + (dir / "m") +
                            " --epochs 1 --threads 1 --quiet ";
  auto r = run_lrpseg(train + "--width 2 --size 2000x2000x2000");
  expect_usage_error(r, "--size 2000x2000x2000: training a width-2 network at this size needs at");
  r = run_lrpseg(train + "--width 100000 --size 4x16x16");
  expect_usage_error(r, "--width 100000: training a network of this width needs at least");
  EXPECT_FALSE(fs::exists(dir / "m"));
}

TEST(BadInputFiles, DuplicateCasesAndAFileForTheOutputFolderAreNamed) {
  Trained t;
  expect_usage_error(run_lrpseg(t.segment() + " --cases 1,2,1"), "--cases: case 1 is listed twice");
  write_text_atomically(t.dir / "file", "x");
  expect_clean_error(run_lrpseg(t.segment("file")),
                     (t.dir / "file") + ": exists and is not a folder");
  EXPECT_FALSE(fs::exists(t.dir / "seg"));
}

TEST(BadInputFiles, BrokenCheckpointFilesAreNamed) {
  Trained t;
  fs::copy(t.dir / "m", t.dir / "m2");
  write_text_atomically(t.dir / "m2/model.json", "{\"architecture\": ");
  expect_clean_error(run_lrpseg(t.segment("seg", "m2")), "model.json");
  fs::remove_all(t.dir / "m2");
  fs::copy(t.dir / "m", t.dir / "m2");
  write_text_atomically(t.dir / "m2/model.pt", "");
  expect_clean_error(run_lrpseg(t.segment("seg", "m2")), "model.pt");
  // model.json edited to another width than model.pt holds: named before a
  // network of that width is built.
  fs::remove_all(t.dir / "m2");
  fs::copy(t.dir / "m", t.dir / "m2");
  auto info = nlohmann::json::parse(read_text(t.dir / "m2/model.json"));
  info["architecture"]["width"] = 100000;
  write_text_atomically(t.dir / "m2/model.json", info.dump());
  const auto r = run_lrpseg(t.segment("seg", "m2"));
  expect_clean_error(r, "describes a network with in_channels 6, classes 2, width 100000 but");
  EXPECT_FALSE(fs::exists(t.dir / "seg"));
}

TEST(BadInputFiles, NonUtf8PathsWork) {
  Trained t;
  const std::string odd = t.dir / "out_\xff\xfe";  // Latin-1 bytes, not UTF-8
  fs::copy(t.dir / "data", t.dir / "data_\xe9", fs::copy_options::recursive);
  const auto r = run_lrpseg("explain --model " + (t.dir / "m") + " --data '" +
                            (t.dir / "data_\xe9") + "' --cases 1 --out '" + odd + "' --quiet");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(fs::exists(odd + "/training_1/summary.json")) << r.output;
}

}  // namespace
}  // namespace lrpseg
