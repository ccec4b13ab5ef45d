#include "analysis/robustness.h"

#include <gtest/gtest.h>

#include <cmath>

#include "analysis/sweep_table.h"
#include "error_of.h"
#include "lrp/relevance.h"
#include "model/unet.h"

namespace lrpseg {
namespace {

TEST(Robustness, NoiseIsMultiplicativeInsideTheBrainAndReproducible) {
  const torch::Tensor x = torch::full({2, 2, 4, 4}, 0.5, torch::kDouble);
  torch::Tensor brain = torch::zeros({2, 4, 4}, torch::kBool);
  brain.narrow(2, 0, 2).fill_(true);
  const torch::Tensor a = noisy_input(x, brain, 0.01, 5, 0);
  EXPECT_TRUE(torch::equal(a, noisy_input(x, brain, 0.01, 5, 0)));
  EXPECT_FALSE(torch::equal(a, noisy_input(x, brain, 0.01, 5, 1)));
  EXPECT_FALSE(torch::equal(a, noisy_input(x, brain, 0.02, 5, 0)));
  // Outside the brain the input is untouched; inside it moves by about σ.
  EXPECT_TRUE(torch::equal(a.narrow(3, 2, 2), x.narrow(3, 2, 2)));
  const double relative = (a.narrow(3, 0, 2) / 0.5 - 1).abs().max().item<double>();
  EXPECT_GT(relative, 0);
  EXPECT_LT(relative, 0.06);
}

TEST(Robustness, MaxSensitivityOfALinearModelIsSigma) {
  // R = w ⊙ x with w = 1 and x = 1: R' − R = σ·n, so ‖R' − R‖ / ‖R‖ =
  // σ ‖n‖ / √N, within a few per cent of σ for N = 12288 voxels.
  const torch::Tensor x = torch::ones({6, 8, 16, 16}, torch::kDouble);
  const torch::Tensor brain = torch::ones({8, 16, 16}, torch::kBool);
  const double sigma = 0.01;
  std::vector<torch::Tensor> maps;
  double expected = 0;
  for (int s = 0; s < 8; ++s) {
    maps.push_back(noisy_input(x, brain, sigma, 1, s));
    expected =
        std::max(expected, (maps.back() - x).norm().item<double>() / x.norm().item<double>());
  }
  const RobustnessScores r = robustness_scores(x, maps, torch::Tensor());
  EXPECT_DOUBLE_EQ(r.max_sensitivity, expected);
  EXPECT_NEAR(r.max_sensitivity, sigma, 0.05 * sigma);
  EXPECT_FALSE(r.inclusivity_change.has_value());
}

TEST(Robustness, CorrelationAndInclusivityChangeOfKnownMaps) {
  torch::Tensor r = torch::zeros({1, 1, 1, 4}, torch::kDouble);
  r[0][0][0][0] = 1;  // the top voxel, inside OT
  torch::Tensor moved = torch::zeros({1, 1, 1, 4}, torch::kDouble);
  moved[0][0][0][3] = 1;  // the top voxel moved out of OT
  torch::Tensor ot = torch::zeros({1, 1, 4}, torch::kUInt8);
  ot[0][0][0] = 1;
  const RobustnessScores same = robustness_scores(r, {r, r}, ot);
  EXPECT_DOUBLE_EQ(same.max_sensitivity, 0);
  EXPECT_DOUBLE_EQ(same.mean_pearson, 1);
  EXPECT_DOUBLE_EQ(*same.inclusivity_change, 0);
  const RobustnessScores half = robustness_scores(r, {r, moved}, ot);
  EXPECT_DOUBLE_EQ(half.max_sensitivity, std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(*half.inclusivity_change, 0.5);  // D goes 1 → 0 in one of two samples
  EXPECT_NEAR(half.mean_pearson, (1 + (-1.0 / 3.0)) / 2, 1e-12);
}

TEST(Robustness, BadOptionsNameTheOption) {
  RobustnessOptions o;
  o.sigmas = {0.0};
  EXPECT_NE(test::error_of([&] { check_robustness_options(o); }).find("--robustness-sigma"),
            std::string::npos);
  o.sigmas = {0.01};
  o.samples = 0;
  EXPECT_NE(test::error_of([&] { check_robustness_options(o); }).find("--robustness-samples"),
            std::string::npos);
}

TEST(Robustness, ANetworkWhoseZPlusDenominatorCancelsIsFlaggedFragile) {
  // Input channels in pairs (v, −v) and a first convolution with equal positive
  // weights on both: the paper's z+ there has Z = f(X; W+) = 0 at every voxel
  // but one, so any input noise redraws the map. The stable z+ has Z > 0.
  torch::manual_seed(0);
  UNet net(UNetOptions{6, 2, 2});
  net->to(torch::kDouble);
  net->eval();
  {
    torch::NoGradGuard no_grad;
    net->b1->conv1->weight.fill_(0.1);
    net->head_bn->bias.fill_(1.0);  // a positive output everywhere: relevance to explain
  }
  const torch::Tensor half = torch::rand({3, 5, 10, 10}, torch::kDouble) + 0.5;
  torch::Tensor x = torch::cat({half, -half}, 0);
  x[0][0][0][0] += 1.0;
  auto robustness_with = [&](const std::string& rule) {
    LrpOptions options;
    options.first_rule = rule;
    options.hidden_rule = "z+stable";  // hidden layers stable in both: only the first differs
    const ExplainInput explain = [&](const torch::Tensor& input) {
      return lrpseg::explain(net, input.unsqueeze(0), options).relevance;
    };
    RobustnessOptions r;
    r.samples = 4;
    return measure_robustness(explain, x, explain(x), 0.01, r, torch::Tensor())[0];
  };
  const RobustnessScores cancelling = robustness_with("z+");
  // Measured: mean correlation 0.20, max-sensitivity 1.0 (the clean map is R/ε).
  EXPECT_LT(cancelling.mean_pearson, 0.5);
  EXPECT_GT(cancelling.max_sensitivity, 0.9);
  EXPECT_EQ(robustness_text(cancelling.mean_pearson).rfind("fragile ", 0), 0u);
  const RobustnessScores stable = robustness_with("z+stable");
  // Measured: 0.984 and 0.14 (1 % noise, random LeakyReLU layers).
  EXPECT_GT(stable.mean_pearson, 0.95);
  EXPECT_LT(stable.max_sensitivity, 0.3);
  EXPECT_EQ(robustness_text(stable.mean_pearson).find("fragile"), std::string::npos);
}

}  // namespace
}  // namespace lrpseg
