#include "metrics/localisation.h"

#include <gtest/gtest.h>

namespace lrpseg {
namespace {

torch::Tensor line(std::vector<double> values) {
  const auto n = static_cast<int64_t>(values.size());
  return torch::tensor(values, torch::kDouble).view({1, 1, n});
}

TEST(Localisation, HandComputedScores) {
  // Positive R: 3 + 2 + 1 = 6, of which 3 inside OT; the top-3 voxels are
  // 3 (inside), 2, 1 (outside); the maximum is inside.
  const auto s = localisation_scores(line({3, -1, 2, 0, 1, 0}), line({1, 1, 0, 0, 0, 1}));
  ASSERT_TRUE(s.mass_accuracy && s.rank_accuracy && s.pointing_game);
  EXPECT_DOUBLE_EQ(*s.mass_accuracy, 0.5);
  EXPECT_DOUBLE_EQ(*s.rank_accuracy, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(*s.pointing_game, 1.0);
}

TEST(Localisation, AMapEntirelyInsideTheLesionScoresOne) {
  torch::Tensor ot = torch::zeros({3, 5, 5}, torch::kUInt8);
  ot.slice(1, 1, 4).slice(2, 1, 4).fill_(1);
  const torch::Tensor map = ot.to(torch::kDouble) * torch::rand({3, 5, 5}, torch::kDouble).add(1);
  const auto s = localisation_scores(map, ot);
  EXPECT_DOUBLE_EQ(*s.mass_accuracy, 1.0);
  EXPECT_DOUBLE_EQ(*s.rank_accuracy, 1.0);
  EXPECT_DOUBLE_EQ(*s.pointing_game, 1.0);
}

TEST(Localisation, TiesAtTheCutAndAtTheMaximumAreShared) {
  // Three tied maxima, one inside OT, one next to it: the top-1 cut takes a third
  // of each, the pointing game the two near OT.
  const torch::Tensor ot = line({0, 1, 0, 0, 0, 0, 0});
  const auto s = localisation_scores(line({1, 1, 0, 0, 0, 0, 1}), ot);
  EXPECT_DOUBLE_EQ(*s.rank_accuracy, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(*s.pointing_game, 2.0 / 3.0);
}

TEST(Localisation, PointingGameAllowsOneVoxelOfSlack) {
  const torch::Tensor ot = line({0, 0, 1, 0, 0, 0});
  EXPECT_DOUBLE_EQ(*localisation_scores(line({0, 0, 0, 5, 0, 0}), ot).pointing_game, 1.0);
  EXPECT_DOUBLE_EQ(*localisation_scores(line({0, 0, 0, 0, 5, 0}), ot).pointing_game, 0.0);
}

TEST(Localisation, UndefinedIsNeverZero) {
  const auto no_ot = localisation_scores(line({1, 2, 3}), line({0, 0, 0}));
  EXPECT_FALSE(no_ot.mass_accuracy || no_ot.rank_accuracy || no_ot.pointing_game);
  const auto constant = localisation_scores(line({-1, -1, -1}), line({0, 1, 0}));
  EXPECT_FALSE(constant.mass_accuracy);  // no positive relevance
  EXPECT_FALSE(constant.rank_accuracy || constant.pointing_game);
  const auto negative = localisation_scores(line({-1, -2, -3}), line({1, 0, 0}));
  EXPECT_FALSE(negative.mass_accuracy);
  EXPECT_DOUBLE_EQ(*negative.rank_accuracy, 1.0);
}

TEST(Localisation, VoxelRelevanceSumsChannelsAndDilationGrowsACube) {
  const torch::Tensor r = torch::ones({3, 2, 2, 2}, torch::kFloat);
  EXPECT_TRUE(torch::equal(voxel_relevance(r), torch::full({2, 2, 2}, 3.0, torch::kDouble)));
  torch::Tensor point = torch::zeros({5, 5, 5}, torch::kUInt8);
  point[2][2][2] = 1;
  const torch::Tensor grown = dilate_mask(point, 1);
  EXPECT_EQ(grown.sum().item<int64_t>(), 27);
  EXPECT_TRUE(grown[1][1][1].item<bool>());
  EXPECT_FALSE(grown[0][2][2].item<bool>());
}

}  // namespace
}  // namespace lrpseg
