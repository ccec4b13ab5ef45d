#include "evaluation/randomisation.h"

#include <gtest/gtest.h>

#include <cmath>

#include "error_of.h"

namespace lrpseg {
namespace {

UNet small_net() {
  UNetOptions o;
  o.width = 2;
  torch::manual_seed(1);
  return UNet(o);
}

TEST(Randomisation, AStageChangesOnlyItsOwnParametersReproducibly) {
  UNet original = small_net();
  UNet a = clone_unet(original), b = clone_unet(original);
  randomise_stage(a, "b7", 3);
  randomise_stage(b, "b7", 3);
  const auto before = original->named_parameters();
  const auto after_b = b->named_parameters();
  int changed = 0;
  for (const auto& p : a->named_parameters()) {
    const bool in_stage = p.key().rfind("b7.", 0) == 0;
    EXPECT_TRUE(torch::equal(p.value(), after_b[p.key()])) << p.key();
    if (in_stage) {
      EXPECT_FALSE(torch::equal(p.value(), before[p.key()])) << p.key();
      ++changed;
    } else {
      EXPECT_TRUE(torch::equal(p.value(), before[p.key()])) << p.key();
    }
  }
  EXPECT_GT(changed, 0);
  // BatchNorm running statistics are buffers and stay.
  for (const auto& buffer : a->named_buffers())
    EXPECT_TRUE(torch::equal(buffer.value(), original->named_buffers()[buffer.key()]));
}

TEST(Randomisation, RedrawnWeightsKeepTheirScale) {
  UNet net = small_net();
  const torch::Tensor w = net->head_conv->weight.clone();
  randomise_stage(net, "head", 0);
  const torch::Tensor r = net->head_conv->weight;
  EXPECT_FALSE(torch::equal(w, r));
  EXPECT_NEAR(r.std().item<double>(), w.std().item<double>(), 0.75 * w.std().item<double>());
}

TEST(Randomisation, StagesRunFromTheHeadToTheFirstBlock) {
  const auto& stages = randomisation_stages();
  ASSERT_EQ(stages.size(), 11u);
  EXPECT_EQ(stages.front(), "head");
  EXPECT_EQ(stages.back(), "b1");
  UNet net = small_net();
  for (const auto& s : stages) EXPECT_NO_THROW(randomise_stage(net, s, 0)) << s;
  EXPECT_NE(test::error_of([&] { randomise_stage(net, "b9", 0); }).find("b9"), std::string::npos);
}

TEST(Randomisation, IndependentRandomMapsShareNothing) {
  torch::manual_seed(2);
  const torch::Tensor a = torch::randn({2, 6, 4, 24, 24}, torch::kDouble);
  const torch::Tensor b = torch::randn({2, 6, 4, 24, 24}, torch::kDouble);
  const auto same = compare_randomised("head", a, a);
  const auto other = compare_randomised("b1", a, b);
  ASSERT_EQ(other.size(), 2u);
  EXPECT_NEAR(same[0].spearman, 1.0, 1e-12);
  EXPECT_NEAR(same[1].ssim, 1.0, 1e-12);
  for (const auto& p : other) {
    EXPECT_EQ(p.stage, "b1");
    EXPECT_LT(std::abs(p.spearman), 0.03);
    EXPECT_LT(std::abs(p.ssim), 0.05);
  }
}

}  // namespace
}  // namespace lrpseg
