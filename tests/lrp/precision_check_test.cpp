// The agreement figures against hand-computed values, and the near-zero
// denominator figures of a network built to cancel.
#include "lrp/precision_check.h"

#include <gtest/gtest.h>

#include "lrp/relevance.h"
#include "model/unet.h"

namespace lrpseg {
namespace {

const auto kFloat64 = torch::TensorOptions().dtype(torch::kDouble);

TEST(PrecisionCheck, PearsonOfLinearAndReversedSequences) {
  const torch::Tensor a = torch::tensor({1.0, 2.0, 3.0, 4.0}, kFloat64);
  EXPECT_NEAR(pearson_correlation(a, 2 * a + 1), 1.0, 1e-15);
  EXPECT_NEAR(pearson_correlation(a, -a), -1.0, 1e-15);
  // (1,2,3,4) vs (1,3,2,4): Σ dx·dy = 4, Σ dx² = Σ dy² = 5.
  EXPECT_NEAR(pearson_correlation(a, torch::tensor({1.0, 3.0, 2.0, 4.0}, kFloat64)), 0.8, 1e-15);
  EXPECT_EQ(pearson_correlation(torch::zeros({3}), torch::zeros({3})), 1.0);
  EXPECT_EQ(pearson_correlation(torch::zeros({3}), torch::tensor({0.0, 1.0, 0.0})), 0.0);
}

TEST(PrecisionCheck, TiesShareTheirAverageRank) {
  const torch::Tensor ranks = average_ranks(torch::tensor({10.0, 20.0, 20.0, 5.0, 20.0}));
  EXPECT_TRUE(torch::equal(ranks, torch::tensor({2.0, 4.0, 4.0, 1.0, 4.0}, kFloat64)));
}

TEST(PrecisionCheck, SpearmanSeesOnlyTheOrder) {
  const torch::Tensor a = torch::tensor({1.0, 2.0, 3.0, 4.0, 5.0}, kFloat64);
  EXPECT_NEAR(spearman_correlation(a, a.pow(5)), 1.0, 1e-15);
  EXPECT_LT(pearson_correlation(a, a.pow(5)), 0.95);
}

TEST(PrecisionCheck, MaxRelativeErrorIsRelativeToTheReferenceMaximum) {
  const torch::Tensor reference = torch::tensor({{0.0, 2.0, -4.0}, {1.0, 1.0, 1.0}}, kFloat64);
  const torch::Tensor a = torch::tensor({{0.5, 2.0, -4.0}, {1.0, 1.0, 1.0}}, kFloat64);
  const auto agreement = compare_relevance(a, reference);
  ASSERT_EQ(agreement.size(), 2u);
  EXPECT_DOUBLE_EQ(agreement[0].max_relative_error, 0.125);
  EXPECT_EQ(agreement[1].max_relative_error, 0.0);
  EXPECT_EQ(agreement[1].pearson, 1.0);
}

TEST(PrecisionCheck, HealthFiguresFindTheLayerBuiltToCancel) {
  // Input channels in pairs (v, −v) and a first convolution with equal positive
  // weights on both: z+ there has Z = f(X; W+) = 0 at every voxel but one.
  torch::manual_seed(0);
  UNet net(UNetOptions{6, 2, 2});
  net->to(torch::kDouble);
  net->eval();
  {
    torch::NoGradGuard no_grad;
    net->b1->conv1->weight.fill_(0.1);
  }
  torch::Tensor half = torch::rand({1, 3, 5, 10, 10}, kFloat64);
  torch::Tensor x = torch::cat({half, -half}, 1);
  x[0][0][0][0][0] += 1.0;
  LrpOptions options;
  options.first_rule = "z+";
  options.record_health = true;
  auto fraction_of = [](const Explanation& e, const std::string& layer) {
    for (const LayerHealth& h : e.health) {
      if (h.name == layer) return h.near_zero_fraction;
    }
    return -1.0;
  };
  const Explanation cancelling = explain(net, x, options);
  EXPECT_GT(fraction_of(cancelling, "b1.conv1"), 0.9);
  EXPECT_GE(fraction_of(cancelling, "b2.conv1"), 0.0);  // every convolution is reported
  options.first_rule = "z+stable";
  EXPECT_EQ(fraction_of(explain(net, x, options), "b1.conv1"), 0.0);
}

}  // namespace
}  // namespace lrpseg
