#include "infer/explain_cases.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "attribution/attribution.h"
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

TEST(ExplainCases, BaselineMethodsRunInTheirOwnPrecision) {
  torch::manual_seed(3);
  UNet net(UNetOptions{6, 2, 2});
  net->eval();
  const torch::Tensor x = torch::rand({1, 6, 4, 8, 8}, torch::kDouble);
  LrpOptions lrp;
  lrp.precision = Precision::Double;
  MethodOptions methods;
  methods.methods = {Method::Lrp, Method::Gradient};
  const Explanation e = explain_methods(net, x, lrp, methods);  // baselines: float32 (default)
  ASSERT_EQ(e.filters, (std::vector<std::string>{"raw", "gradient"}));
  EXPECT_EQ(e.relevance.scalar_type(), torch::kDouble);
  UNet float_net = with_dtype(net, torch::kFloat);
  const torch::Tensor float_x = x.to(torch::kFloat);
  torch::Tensor y;
  {
    torch::NoGradGuard no_grad;
    y = float_net->forward(float_x);
  }
  // The float32 weights of the target come from the float64 output.
  const torch::Tensor weights = target_weights(e.output, lrp.target).to(torch::kFloat);
  const torch::Tensor expected = attribute(float_net, float_x, Method::Gradient, weights, {});
  EXPECT_TRUE(torch::equal(e.relevance[1], expected[0].to(torch::kDouble)));

  methods.precision = Precision::Double;
  const Explanation d = explain_methods(net, x, lrp, methods);
  UNet double_net = with_dtype(net, torch::kDouble);
  const torch::Tensor exact =
      attribute(double_net, x, Method::Gradient, target_weights(d.output, lrp.target), {});
  EXPECT_TRUE(torch::equal(d.relevance[1], exact[0]));
  EXPECT_FALSE(torch::equal(d.relevance[1], e.relevance[1]));
  EXPECT_TRUE(torch::equal(d.relevance[0], e.relevance[0]));  // LRP unchanged
}

TEST(ExplainCases, MethodParametersAreDescribedForTheMethodsUsed) {
  MethodOptions m;
  EXPECT_TRUE(describe(m).is_null());  // LRP only: its own description
  m.methods = {Method::Lrp, Method::IntegratedGradients, Method::Occlusion};
  m.attribution.occlusion_channels = OcclusionChannels::Each;
  const nlohmann::json j = describe(m);
  EXPECT_EQ(j["precision"], "float");
  EXPECT_EQ(j["integrated-gradients"]["steps"], 32);
  EXPECT_EQ(j["integrated-gradients"]["baseline"], "zero");
  EXPECT_EQ(j["occlusion"]["patch"], (std::vector<int64_t>{1, 8, 8}));
  EXPECT_EQ(j["occlusion"]["stride"], (std::vector<int64_t>{1, 8, 8}));
  EXPECT_EQ(j["occlusion"]["channels"], "each");
  EXPECT_FALSE(j.contains("smoothgrad"));
}

}  // namespace
}  // namespace lrpseg
