#include <gtest/gtest.h>

#include "metrics/dice.h"
#include "train/losses.h"
#include "util/error.h"

namespace lrpseg {
namespace {

TEST(Dice, MatchesHandComputedValue) {
  auto p = torch::tensor({1, 1, 0, 0, 1}, torch::kUInt8);
  auto g = torch::tensor({1, 0, 0, 1, 1}, torch::kUInt8);
  EXPECT_DOUBLE_EQ(dice_score(p, g), 2.0 * 2 / (3 + 3));
}

TEST(Dice, EmptyPredictionOfALesionIsZeroAndTwoEmptyVolumesAgree) {
  auto empty = torch::zeros({4}, torch::kUInt8);
  EXPECT_DOUBLE_EQ(dice_score(empty, torch::ones({4}, torch::kUInt8)), 0.0);
  EXPECT_DOUBLE_EQ(dice_score(empty, empty), 1.0);
}

TEST(Dice, ShapeMismatchIsAnError) {
  EXPECT_THROW(dice_score(torch::zeros({4}), torch::zeros({5})), Error);
}

TEST(Losses, CrossEntropyMatchesHandComputedValue) {
  // Two voxels, logits (0, ln 3) and (0, 0): −[ln(3/4) + ln(1/2)] / 2 for labels (1, 0).
  auto out = torch::tensor({0.0f, 0.0f, std::log(3.0f), 0.0f}).reshape({1, 2, 1, 1, 2});
  auto label = torch::tensor({1, 0}, torch::kLong).reshape({1, 1, 1, 2});
  double expected = -(std::log(0.75) + std::log(0.5)) / 2;
  EXPECT_NEAR(segmentation_loss(out, label, Loss::CrossEntropy).item<double>(), expected, 1e-6);
}

TEST(Losses, SoftDiceIsNearZeroForAConfidentPerfectPrediction) {
  auto label = torch::tensor({1, 0, 1, 0}, torch::kLong).reshape({1, 1, 2, 2});
  auto lesion = label.to(torch::kFloat) * 40;
  auto out = torch::stack({40 - lesion, lesion}, 1);
  EXPECT_LT(segmentation_loss(out, label, Loss::Dice).item<double>(), 1e-3);
  EXPECT_GT(segmentation_loss(-out, label, Loss::Dice).item<double>(), 0.5);
  EXPECT_THROW(parse_loss("focal", "--loss"), Error);
  EXPECT_EQ(parse_loss("ce+dice", "--loss"), Loss::CrossEntropyDice);
}

}  // namespace
}  // namespace lrpseg
