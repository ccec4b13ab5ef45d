// `lrpseg explain` over cases: the files it writes, and the robustness figures
// of summary.json recomputed from noisy inputs built independently.
#include "analysis/explain_run.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "analysis/robustness.h"
#include "data/preprocess.h"
#include "io/nifti.h"
#include "lrp/precision_check.h"
#include "lrp/relevance.h"
#include "model/checkpoint.h"
#include "temp_dir.h"
#include "tiny_model.h"
#include "train/trainer.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;

TEST(ExplainRun, WritesRelevanceThatRecomputesFromTheNativeInput) {
  test::TempDir dir;
  TrainOptions t = test::train_tiny_model(dir / "data", dir / "model", 1, 0, 11);

  ExplainOptions o;
  o.model_dir = t.out_dir;
  o.out_dir = dir / "lrp";
  o.cases = discover_isles(t.data_dir).cases;
  o.lrp.filters = {Filter::raw(), Filter::clamp(0, 0.1)};
  o.native = true;
  o.threads = 1;
  o.quiet = true;
  auto summaries = explain_cases(o);
  ASSERT_EQ(summaries.size(), 1u);
  const auto& s = summaries[0];
  EXPECT_EQ(s["filters"].size(), 2u);
  EXPECT_TRUE(s["dice"].is_number());

  fs::path c = fs::path(o.out_dir) / "training_1";
  Volume at_case = read_nifti(c / "relevance_clamp_0-0.1.nii.gz");
  CaseVolumes v = load_case(o.cases[0]);
  EXPECT_EQ(at_case.data.sizes(), v.image.sizes());  // (6, D, H, W) at the case grid
  EXPECT_EQ(at_case.header.sform(), v.geometry.sform());

  // Anyone can recompute the native relevance from the written native input.
  Volume input = read_nifti(c / "native/input.nii.gz");
  Volume native = read_nifti(c / "native/relevance_clamp_0-0.1.nii.gz");
  LoadedModel model = load_checkpoint(t.out_dir);
  Explanation again = explain(model.net, input.data.unsqueeze(0), o.lrp);
  EXPECT_TRUE(torch::allclose(again.relevance[1].to(torch::kFloat), native.data, 1e-4, 1e-6));
  // The case-grid file is the native relevance resized with nearest sampling.
  EXPECT_TRUE(
      torch::allclose(resize(native.data, {v.image.size(1), v.image.size(2), v.image.size(3)},
                             Interpolation::Nearest),
                      at_case.data));
  EXPECT_NEAR(s["filters"][1]["max_abs_per_channel"]["ADC"].get<double>(),
              native.data[0].abs().max().item<double>(), 1e-4);
  EXPECT_TRUE(fs::exists(c / "summary.json"));
  EXPECT_TRUE(fs::exists(c / "prediction.nii.gz"));
}

TEST(ExplainRun, RobustnessInTheSummaryMatchesNoisyInputsExplainedByHand) {
  test::TempDir dir;
  TrainOptions t = test::train_tiny_model(dir / "data", dir / "model", 1, 0, 11);

  ExplainOptions o;
  o.model_dir = t.out_dir;
  o.out_dir = dir / "lrp";
  o.cases = discover_isles(t.data_dir).cases;
  o.lrp.filters = {Filter::raw(), Filter::pass(0, 0.2)};
  o.lrp.precision = Precision::Double;
  RobustnessOptions r;
  r.sigmas = {0.01};
  r.samples = 2;
  r.seed = 7;
  o.robustness = r;
  o.native = true;
  o.threads = 1;
  o.quiet = true;
  const auto summaries = explain_cases(o);
  ASSERT_EQ(summaries.size(), 1u);
  const auto& robustness = summaries[0].at("robustness");
  EXPECT_EQ(robustness.at("sigma").get<double>(), 0.01);
  EXPECT_EQ(robustness.at("samples").get<int>(), 2);
  ASSERT_EQ(robustness.at("filters").size(), 2u);

  // The same noise drawn by hand from (seed, σ, sample), inside the brain.
  fs::path c = fs::path(o.out_dir) / "training_1";
  const torch::Tensor input = read_nifti(c / "native/input.nii.gz").data;  // float32, as explained
  ASSERT_EQ(input.scalar_type(), torch::kFloat);
  LoadedModel model = load_checkpoint(t.out_dir);
  UNet net = with_dtype(model.net, torch::kDouble);
  const Explanation clean = explain(net, input.unsqueeze(0).to(torch::kDouble), o.lrp);
  for (size_t k = 0; k < 2; ++k) {
    double pearson = 0, sensitivity = 0;
    for (int s = 0; s < 2; ++s) {
      const torch::Tensor x = noisy_input(input, brain_mask(input), 0.01, 7, s);
      EXPECT_FALSE(torch::equal(x, input));
      const torch::Tensor noisy =
          explain(net, x.unsqueeze(0).to(torch::kDouble), o.lrp).relevance[k];
      const torch::Tensor r = clean.relevance[k];
      pearson += pearson_correlation(noisy, r) / 2;
      sensitivity = std::max(sensitivity, ((noisy - r).norm() / r.norm()).item<double>());
    }
    const auto& f = robustness.at("filters")[k];
    EXPECT_EQ(f.at("filter").get<std::string>(), clean.filters[k]);
    EXPECT_NEAR(f.at("pearson").get<double>(), pearson, 1e-9);
    EXPECT_NEAR(f.at("max_sensitivity").get<double>(), sensitivity, 1e-9 * sensitivity);
  }
  // The same figures are in summary.json on disk.
  const auto written = nlohmann::json::parse(read_text((c / "summary.json").string()));
  EXPECT_EQ(written.at("robustness"), robustness);
}

TEST(ExplainRun, RobustnessNeedsOneSigma) {
  RobustnessOptions r;
  r.sigmas = {1e-4, 1e-2};
  EXPECT_THROW(check_single_sigma(r), Error);
  r.sigmas = {1e-2};
  EXPECT_NO_THROW(check_single_sigma(r));
}

}  // namespace
}  // namespace lrpseg
