#include "data/synth.h"

#include <gtest/gtest.h>
#include <nifti2_io.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "data/synth_model.h"
#include "error_of.h"
#include "io/nifti.h"
#include "util/error.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kModalities = {"MR_ADC",  "MR_MTT", "MR_rCBF", "MR_rCBV",
                                              "MR_Tmax", "MR_TTP", "OT"};

// A fresh directory under the system temp dir, removed with the object.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag) {
    static int counter = 0;
    path = fs::temp_directory_path() / ("lrpseg-synth-" + tag + "-" + std::to_string(::getpid()) +
                                        "-" + std::to_string(counter++));
    fs::remove_all(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Relative path -> bytes of every file under `root`.
std::map<std::string, std::string> all_files(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root))
    if (entry.is_regular_file())
      files[fs::relative(entry.path(), root).string()] = read_bytes(entry.path());
  return files;
}

// The .nii file of `modality` in a case folder.
fs::path volume_path(const fs::path& case_dir, const std::string& modality) {
  for (const auto& entry : fs::directory_iterator(case_dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".O." + modality + ".") != std::string::npos)
      return entry.path() / (name + ".nii");
  }
  ADD_FAILURE() << case_dir << " has no " << modality << " folder";
  return {};
}

SynthOptions small_options(const fs::path& out, uint64_t seed, int training = 2, int test = 1) {
  SynthOptions options;
  options.out_dir = out.string();
  options.training_cases = training;
  options.test_cases = test;
  options.seed = seed;
  return options;
}

// One small dataset shared by the read-only tests.
class SynthDataset : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("shared");
    synthesize_isles(small_options(dir_->path, 7));
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static const fs::path& root() { return dir_->path; }
  static TempDir* dir_;
};
TempDir* SynthDataset::dir_ = nullptr;

TEST_F(SynthDataset, SameSeedWritesIdenticalBytes) {
  TempDir again("again");
  synthesize_isles(small_options(again.path, 7));
  const auto first = all_files(root()), second = all_files(again.path);
  ASSERT_EQ(first.size(), 20u);  // 2 training cases × 7 + 1 test case × 6
  for (const auto& [name, bytes] : first) {
    ASSERT_TRUE(second.count(name)) << name;
    EXPECT_TRUE(second.at(name) == bytes) << name << " differs";
  }
}

TEST_F(SynthDataset, CaseDoesNotDependOnTheNumberOfCases) {
  TempDir single("single");
  synthesize_isles(small_options(single.path, 7, 1, 0));
  const auto one = all_files(single.path), many = all_files(root());
  ASSERT_EQ(one.size(), 7u);
  for (const auto& [name, bytes] : one) EXPECT_TRUE(many.at(name) == bytes) << name;
}

TEST_F(SynthDataset, DifferentSeedsWriteDifferentVolumes) {
  TempDir other("other");
  synthesize_isles(small_options(other.path, 8, 1, 0));
  for (const std::string& modality : kModalities) {
    EXPECT_NE(read_bytes(volume_path(other.path / "training_1", modality)),
              read_bytes(volume_path(root() / "training_1", modality)))
        << modality;
  }
}

TEST_F(SynthDataset, LayoutMatchesIsles2017) {
  std::vector<std::string> cases;
  for (const auto& entry : fs::directory_iterator(root()))
    cases.push_back(entry.path().filename().string());
  std::sort(cases.begin(), cases.end());
  EXPECT_EQ(cases, (std::vector<std::string>{"test_1", "training_1", "training_2"}));

  for (const std::string& name : cases) {
    const bool training = name.rfind("training_", 0) == 0;
    std::vector<std::string> folders;
    for (const auto& entry : fs::directory_iterator(root() / name)) {
      const std::string folder = entry.path().filename().string();
      folders.push_back(folder);
      EXPECT_TRUE(folder.rfind("SMIR.Brain.XX.O.", 0) == 0 ||
                  folder.rfind("VSD.Brain.XX.O.", 0) == 0)
          << folder;
      // One file per folder, named after it.
      std::vector<std::string> files;
      for (const auto& file : fs::directory_iterator(entry.path()))
        files.push_back(file.path().filename().string());
      EXPECT_EQ(files, std::vector<std::string>{folder + ".nii"});
    }
    EXPECT_EQ(folders.size(), training ? 7u : 6u) << name;
    for (size_t m = 0; m < kModalities.size(); ++m) {
      if (!training && kModalities[m] == "OT") continue;
      EXPECT_FALSE(volume_path(root() / name, kModalities[m]).empty());
    }
  }
}

TEST_F(SynthDataset, VolumesOfACaseShareOneGrid) {
  for (const std::string name : {"training_1", "training_2"}) {
    const NiftiHeader adc = read_nifti_header(volume_path(root() / name, "MR_ADC").string());
    EXPECT_EQ(adc.dim()[0], 3);
    for (const std::string& modality : kModalities) {
      const NiftiHeader other = read_nifti_header(volume_path(root() / name, modality).string());
      EXPECT_EQ(other.dim(), adc.dim()) << name << " " << modality;
      EXPECT_EQ(other.pixdim(), adc.pixdim()) << name << " " << modality;
      EXPECT_EQ(other.sform(), adc.sform()) << name << " " << modality;
    }
  }
  // Cases cycle through ISLES grids with thick slices.
  const NiftiHeader first = read_nifti_header(volume_path(root() / "training_1", "OT").string());
  const NiftiHeader second = read_nifti_header(volume_path(root() / "training_2", "OT").string());
  EXPECT_EQ(first.size_dhw(), (std::array<int64_t, 3>{19, 192, 192}));
  EXPECT_EQ(second.size_dhw(), (std::array<int64_t, 3>{24, 256, 256}));
  EXPECT_GT(first.pixdim()[3], 4 * first.pixdim()[1]);
}

TEST_F(SynthDataset, IslesDatatypesWithInt16AdcAndScaleSlope) {
  const fs::path case_dir = root() / "training_1";
  const NiftiHeader adc = read_nifti_header(volume_path(case_dir, "MR_ADC").string());
  EXPECT_EQ(adc.datatype(), 4);  // int16
  const double slope = static_cast<const nifti_image*>(adc.image.get())->scl_slope;
  EXPECT_TRUE(slope == 0.5 || slope == 1.0) << slope;
  const torch::Tensor values = read_nifti(volume_path(case_dir, "MR_ADC").string()).data;
  EXPECT_TRUE(torch::equal(values, torch::round(values / slope) * slope));
  EXPECT_EQ(read_nifti_header(volume_path(case_dir, "OT").string()).datatype(), 2);  // uint8
  for (const std::string modality : {"MR_MTT", "MR_rCBF", "MR_rCBV", "MR_Tmax", "MR_TTP"})
    EXPECT_EQ(read_nifti_header(volume_path(case_dir, modality).string()).datatype(), 16);
}

TEST_F(SynthDataset, GroundTruthIsBinaryAndNonEmpty) {
  for (const std::string name : {"training_1", "training_2"}) {
    const torch::Tensor ot = read_nifti(volume_path(root() / name, "OT").string()).data;
    EXPECT_TRUE(((ot == 0) | (ot == 1)).all().item<bool>()) << name;
    // Large enough to survive resizing 192 → 48 in-plane.
    EXPECT_GT(ot.sum().item<double>(), 1000) << name;
  }
}

TEST_F(SynthDataset, LesionHasLowAdcAndHighTmax) {
  for (const std::string name : {"training_1", "training_2"}) {
    const fs::path case_dir = root() / name;
    const torch::Tensor ot = read_nifti(volume_path(case_dir, "OT").string()).data > 0.5;
    const torch::Tensor adc = read_nifti(volume_path(case_dir, "MR_ADC").string()).data;
    const torch::Tensor tmax = read_nifti(volume_path(case_dir, "MR_Tmax").string()).data;
    const torch::Tensor cbf = read_nifti(volume_path(case_dir, "MR_rCBF").string()).data;
    // Perfusion maps are brain-masked: healthy brain = perfused and outside the OT.
    const torch::Tensor healthy = (cbf > 0) & ~ot;
    const auto mean = [](const torch::Tensor& v, const torch::Tensor& m) {
      return v.masked_select(m).mean().item<double>();
    };
    EXPECT_LT(mean(adc, ot), 0.9 * mean(adc, healthy)) << name;
    EXPECT_GT(mean(tmax, ot), mean(tmax, healthy) + 3.0) << name;
    EXPECT_LT(mean(cbf, ot), mean(cbf, healthy)) << name;
  }
}

TEST_F(SynthDataset, RefusesToWriteIntoExistingCases) {
  EXPECT_THROW(synthesize_isles(small_options(root(), 9)), Error);
}

TEST_F(SynthDataset, AllSixEvidenceMapsWriteTheDefaultBytes) {
  TempDir all("all-evidence");
  SynthOptions options = small_options(all.path, 7, 1, 0);
  options.evidence = parse_evidence_modalities("ADC,MTT,rCBF,rCBV,Tmax,TTP");
  synthesize_isles(options);
  const auto one = all_files(all.path), many = all_files(root());
  ASSERT_EQ(one.size(), 7u);
  for (const auto& [name, bytes] : one) EXPECT_TRUE(many.at(name) == bytes) << name;
}

TEST_F(SynthDataset, EvidenceRewritesOnlyTheMapsWithoutEvidence) {
  TempDir some("some-evidence");
  SynthOptions options = small_options(some.path, 7, 1, 0);
  options.evidence = parse_evidence_modalities("MTT,Tmax,TTP");
  synthesize_isles(options);
  for (const std::string& modality : kModalities) {
    const bool same = read_bytes(volume_path(some.path / "training_1", modality)) ==
                      read_bytes(volume_path(root() / "training_1", modality));
    const bool evidence = modality != "MR_ADC" && modality != "MR_rCBF" && modality != "MR_rCBV";
    EXPECT_EQ(same, evidence) << modality;
  }
}

TEST(Synth, ReportsProgressAfterEachCase) {
  TempDir dir("progress");
  std::vector<std::pair<int, int>> calls;
  synthesize_isles(small_options(dir.path, 3, 1, 1),
                   [&](int done, int total) { calls.emplace_back(done, total); });
  EXPECT_EQ(calls, (std::vector<std::pair<int, int>>{{1, 2}, {2, 2}}));
  // Only the finished cases remain: no temporary folders.
  size_t entries = std::distance(fs::directory_iterator(dir.path), fs::directory_iterator());
  EXPECT_EQ(entries, 2u);
}

TEST(Synth, RejectsInvalidOptions) {
  TempDir dir("invalid");
  EXPECT_THROW(synthesize_isles(small_options(dir.path, 0, -1, 0)), Error);
  EXPECT_THROW(synthesize_isles(small_options(dir.path, 0, 0, 0)), Error);
  EXPECT_THROW(synthesize_isles(small_options("", 0)), Error);
}

// One case rendered with the lesion in MTT, Tmax and TTP only, and by default, with
// the regions the tests compare.
struct EvidenceCase {
  static constexpr uint64_t kSeed = 11;  // grid 0: 192×192×19

  SynthCase delay_only = render_synthetic_case(kSeed, 0, {false, true, false, false, true, true});
  SynthCase by_default = render_synthetic_case(kSeed, 0);
  torch::Tensor ot = by_default.volumes[kSynthOT] > 0.5;
  // Inside the perfusion maps' brain mask, without CSF (ADC ~3000; parenchyma < 900).
  torch::Tensor parenchyma =
      (by_default.volumes[kSynthMTT] > 0) & (by_default.volumes[kSynthADC] < 1200);
  // Parenchyma within 8 voxels (~10 mm) of the OT in-plane: tissue like the OT's. The
  // OT is mostly white matter, where rCBF and rCBV are half of grey matter's, so all
  // parenchyma would differ from the OT by 15–25% even without a lesion.
  torch::Tensor around_ot =
      (torch::max_pool3d(ot.to(torch::kFloat32).unsqueeze(0), {1, 17, 17}, {1, 1, 1}, {0, 8, 8})
           .squeeze(0) > 0.5) &
      parenchyma & ~ot;

  // The mean inside the OT relative to the mean around it, minus 1.
  double ot_contrast(const torch::Tensor& volume) const {
    return volume.masked_select(ot).mean().item<double>() /
               volume.masked_select(around_ot).mean().item<double>() -
           1;
  }
};

class SynthEvidenceCase : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { case_ = new EvidenceCase; }
  static void TearDownTestSuite() {
    delete case_;
    case_ = nullptr;
  }
  static const EvidenceCase& c() { return *case_; }
  static EvidenceCase* case_;
};
EvidenceCase* SynthEvidenceCase::case_ = nullptr;

TEST_F(SynthEvidenceCase, OnlyEvidenceMapsShowTheLesion) {
  // Evidence maps: delayed inside the OT (measured +0.92, +2.37, +0.35).
  for (int m : {kSynthMTT, kSynthTmax, kSynthTTP})
    EXPECT_GT(c().ot_contrast(c().delay_only.volumes[m]), 0.25) << kModalities[m];
  // The other maps: the OT looks like the tissue around it (measured +0.017, +0.014,
  // +0.016), where the default rendering shows the core (−0.15, −0.44, −0.24).
  for (int m : {kSynthADC, kSynthRCBF, kSynthRCBV}) {
    EXPECT_LT(std::abs(c().ot_contrast(c().delay_only.volumes[m])), 0.10) << kModalities[m];
    EXPECT_LT(c().ot_contrast(c().by_default.volumes[m]), -0.10) << kModalities[m];
  }
}

TEST_F(SynthEvidenceCase, DecoysChangeMapsWithoutEvidenceOutsideTheOt) {
  // Outside the OT the default rendering is healthy tissue (the penumbra changes rCBF
  // by < 20% there), so voxels that differ by more than 30% are decoys (measured
  // 1313, 1455, 1409 voxels; 0–2 without decoys).
  const torch::Tensor outside = c().parenchyma & ~c().ot;
  for (int m : {kSynthADC, kSynthRCBF, kSynthRCBV}) {
    const torch::Tensor& a = c().delay_only.volumes[m];
    const torch::Tensor& b = c().by_default.volumes[m];
    const int64_t decoy_voxels =
        (((a - b).abs() > 0.3 * torch::max(a, b)) & outside).sum().item<int64_t>();
    EXPECT_GT(decoy_voxels, 300) << kModalities[m];
  }
}

TEST_F(SynthEvidenceCase, EvidenceMapsAndOtAreTheDefaultOnes) {
  for (int v : {kSynthMTT, kSynthTmax, kSynthTTP, kSynthOT})
    EXPECT_TRUE(torch::equal(c().delay_only.volumes[v], c().by_default.volumes[v]))
        << kModalities[v];
  for (int v : {kSynthADC, kSynthRCBF, kSynthRCBV})
    EXPECT_FALSE(torch::equal(c().delay_only.volumes[v], c().by_default.volumes[v]))
        << kModalities[v];
  EXPECT_EQ(c().delay_only.size_dhw, c().by_default.size_dhw);
  EXPECT_EQ(c().delay_only.spacing_ijk, c().by_default.spacing_ijk);
  EXPECT_EQ(c().delay_only.adc_slope, c().by_default.adc_slope);
}

TEST_F(SynthEvidenceCase, AllSixEvidenceMapsAreTheDefaultRendering) {
  const SynthCase all =
      render_synthetic_case(EvidenceCase::kSeed, 0, {true, true, true, true, true, true});
  for (int v = 0; v < kSynthVolumeCount; ++v)
    EXPECT_TRUE(torch::equal(all.volumes[v], c().by_default.volumes[v])) << kModalities[v];
}

TEST(SynthEvidence, ParsesNamesCaseInsensitivelyWithOrWithoutPrefix) {
  EXPECT_EQ(parse_evidence_modalities("MTT,Tmax,TTP"),
            (SynthEvidence{false, true, false, false, true, true}));
  EXPECT_EQ(parse_evidence_modalities("mr_adc, RCBF ,MR_rCBV"),
            (SynthEvidence{true, false, true, true, false, false}));
  EXPECT_EQ(parse_evidence_modalities("TMAX"),
            (SynthEvidence{false, false, false, false, true, false}));
  EXPECT_EQ(parse_evidence_modalities("ADC,MTT,rCBF,rCBV,Tmax,TTP"), kSynthAllEvidence);
}

TEST(SynthEvidence, RejectsUnknownRepeatedAndMissingNames) {
  const auto message = [](const std::string& list) {
    return test::error_of([&] { parse_evidence_modalities(list); });
  };
  for (const std::string list :
       {"FOO", "MTT,FOO", "MTT,MTT", "MTT,mr_mtt", "", " ", "MTT,,TTP", "MTT,", "MR_", "DWI"}) {
    const std::string error = message(list);
    EXPECT_EQ(error.rfind("--evidence:", 0), 0u) << list << ": " << error;
    EXPECT_NE(error.find("valid: ADC, MTT, rCBF, rCBV, Tmax, TTP"), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  EXPECT_NE(message("MTT,FOO").find("'FOO'"), std::string::npos);
  EXPECT_NE(message("MTT,mr_mtt").find("'mr_mtt' is named twice"), std::string::npos);
  EXPECT_NE(message("").find("no modality"), std::string::npos);
}

}  // namespace
}  // namespace lrpseg
