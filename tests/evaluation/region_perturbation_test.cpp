#include "evaluation/region_perturbation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "data/preprocess.h"
#include "error_of.h"

namespace lrpseg {
namespace {

// A linear score s(x) = Σ w ⊙ x per sample: with zero replacement, removing
// patch p lowers s by exactly its contribution Σ_p w ⊙ x.
Score linear_score(const torch::Tensor& w) {
  return [w](const torch::Tensor& batch) { return (batch * w).sum({1, 2, 3, 4}); };
}

TEST(RegionPerturbation, MorfAndLerfOfALinearModelFollowTheAnalyticCurves) {
  // One channel, 1×4×4 voxels, 1×1×1 patches: 16 patches, one per step.
  const torch::Tensor w = torch::arange(1, 17, torch::kDouble).view({1, 1, 4, 4});
  const torch::Tensor x = torch::ones({1, 1, 4, 4}, torch::kDouble);
  PerturbationOptions o;
  o.patch = {1, 1, 1};
  o.steps = 16;
  o.fraction = 1.0;
  o.batch = 5;  // batches that straddle the orders
  RegionPerturbation rp(linear_score(w), x, o);
  ASSERT_EQ(rp.brain_patches(), 16);
  EXPECT_DOUBLE_EQ(rp.clean_score(), 136.0);
  const auto curves = rp.morf_lerf((w * x).unsqueeze(0));
  ASSERT_EQ(curves.size(), 1u);
  double removed_top = 0, removed_bottom = 0, aopc_morf = 0, aopc_lerf = 0;
  for (int k = 0; k <= 16; ++k) {
    if (k > 0) {
      removed_top += 17 - k;  // MoRF removes 16, 15, …
      removed_bottom += k;    // LeRF removes 1, 2, …
    }
    EXPECT_NEAR(curves[0].first.scores[k], 1 - removed_top / 136.0, 1e-12) << k;
    EXPECT_NEAR(curves[0].second.scores[k], 1 - removed_bottom / 136.0, 1e-12) << k;
    aopc_morf += removed_top / 136.0 / 17;
    aopc_lerf += removed_bottom / 136.0 / 17;
  }
  EXPECT_NEAR(curves[0].first.aopc(), aopc_morf, 1e-12);
  EXPECT_NEAR(curves[0].second.aopc(), aopc_lerf, 1e-12);
  EXPECT_GT(curves[0].first.aopc(), curves[0].second.aopc());
}

TEST(RegionPerturbation, PatchesSpanAllChannelsAndStepsReachTheFraction) {
  // Two channels, 1×5×5 voxels, 1×2×2 patches: a 1×3×3 patch grid (the last
  // row and column of patches half outside). 20 steps up to half of 9 patches.
  const torch::Tensor x = torch::ones({2, 1, 5, 5}, torch::kDouble);
  const torch::Tensor w = torch::ones({1, 2, 1, 5, 5}, torch::kDouble);
  PerturbationOptions o;
  o.patch = {1, 2, 2};
  o.steps = 4;
  o.fraction = 0.5;
  RegionPerturbation rp(linear_score(w), x, o);
  ASSERT_EQ(rp.brain_patches(), 9);
  // Relevance only in the corner patch (4 voxels × 2 channels) and the centre patch.
  torch::Tensor r = torch::zeros({1, 2, 1, 5, 5}, torch::kDouble);
  r.select(3, 0).select(3, 0).fill_(10);
  r.select(3, 2).select(3, 2).fill_(5);
  const auto order = rp.patch_order(r[0].sum(0), true);
  EXPECT_EQ(order[0], 0);
  EXPECT_EQ(order[1], 4);
  const auto curves = rp.morf_lerf(r);
  // counts per step: round(k · 0.5 · 9 / 4) = 0, 1, 2, 3, 5 patches of 8 voxels (two channels).
  EXPECT_NEAR(curves[0].first.scores[1], 1 - 8.0 / 50, 1e-12);
  EXPECT_NEAR(curves[0].first.scores[2], 1 - 16.0 / 50, 1e-12);
}

TEST(RegionPerturbation, RandomOrdersAndNoiseAreReproducible) {
  torch::manual_seed(0);
  const torch::Tensor x = torch::rand({6, 2, 8, 8}, torch::kDouble);
  const torch::Tensor w = torch::rand({1, 6, 2, 8, 8}, torch::kDouble);
  PerturbationOptions o;
  o.mode = PerturbationMode::Noise;
  o.seed = 7;
  RegionPerturbation a(linear_score(w), x, o), b(linear_score(w), x, o);
  const auto ra = a.random_curves(), rb = b.random_curves();
  ASSERT_EQ(ra.size(), 3u);
  for (size_t i = 0; i < ra.size(); ++i) EXPECT_EQ(ra[i].scores, rb[i].scores);
  EXPECT_NE(ra[0].scores, ra[1].scores);
}

TEST(RegionPerturbation, BrainIsWhereMostChannelsAreNonZero) {
  torch::Tensor x = torch::zeros({4, 1, 1, 3}, torch::kDouble);
  x[0].fill_(1);               // ADC-like: everywhere in the head
  x.narrow(3, 0, 1).fill_(1);  // voxel 0: all four channels
  x[1][0][0][1] = 1;           // voxel 1: two of four
  const torch::Tensor brain = brain_mask(x);
  EXPECT_TRUE(brain[0][0][0].item<bool>());
  EXPECT_TRUE(brain[0][0][1].item<bool>());
  EXPECT_FALSE(brain[0][0][2].item<bool>());
}

TEST(RegionPerturbation, BadOptionsNameTheOption) {
  PerturbationOptions o;
  o.patch = {1, 64, 4};
  EXPECT_NE(test::error_of([&] {
              check_perturbation_options(o, {4, 16, 16});
            }).find("--perturb-patch"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { parse_perturbation_mode("gauss"); }).find("--perturb"),
            std::string::npos);
  EXPECT_EQ(parse_perturbation_mode("blur"), PerturbationMode::Blur);
}

}  // namespace
}  // namespace lrpseg
