#include "infer/explain_cases.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "data/preprocess.h"
#include "data/synth.h"
#include "io/nifti.h"
#include "lrp/relevance.h"
#include "model/checkpoint.h"
#include "temp_dir.h"
#include "tiny_model.h"
#include "train/trainer.h"
#include "util/atomic_file.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;

TEST(ExplainCases, FilterTagsAreFileSafe) {
  EXPECT_EQ(filter_file_tag("pass:0-0.2"), "pass_0-0.2");
  EXPECT_EQ(filter_file_tag("raw"), "raw");
}

TEST(ExplainCases, SelectFiltersTakesThoseRowsInTheGivenOrder) {
  CaseExplanation c;
  c.explanation.filters = {"raw", "pass:0-0.4", "clamp:0-0.2"};
  c.explanation.relevance = torch::arange(3 * 6 * 8, torch::kDouble).reshape({3, 6, 2, 2, 2});
  c.explanation.max_abs_per_channel = torch::arange(18, torch::kDouble).reshape({3, 6});
  c.explanation.sum_input = torch::tensor({1.0, 2.0, 3.0});
  c.case_index = nearest_index_map({2, 2, 2}, {2, 4, 4});
  c.check = PrecisionCheck{};
  const auto s = select_filters(c, {"clamp:0-0.2", "raw"});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->explanation.filters, (std::vector<std::string>{"clamp:0-0.2", "raw"}));
  EXPECT_TRUE(torch::equal(s->explanation.relevance[0], c.explanation.relevance[2]));
  EXPECT_TRUE(torch::equal(s->explanation.relevance[1], c.explanation.relevance[0]));
  EXPECT_TRUE(torch::equal(case_grid_relevance(*s, 0), case_grid_relevance(c, 2)));
  EXPECT_TRUE(torch::equal(case_grid_relevance(c, 2),
                           resize(c.explanation.relevance[2], {2, 4, 4}, Interpolation::Nearest)));
  EXPECT_TRUE(
      torch::equal(s->explanation.max_abs_per_channel[1], c.explanation.max_abs_per_channel[0]));
  EXPECT_TRUE(torch::equal(s->explanation.sum_input, torch::tensor({3.0, 1.0})));
  EXPECT_FALSE(s->check.has_value());
  EXPECT_FALSE(select_filters(c, {"raw", "pass:0-0.2"}).has_value());
}

TEST(ExplainCases, WritesRelevanceThatRecomputesFromTheNativeInput) {
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

}  // namespace
}  // namespace lrpseg
