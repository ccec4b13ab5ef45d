// Baseline attributions against closed forms (a quadratic score), finite
// differences and the completeness of integrated gradients on a tiny U-Net.
#include "attribution/attribution.h"

#include <gtest/gtest.h>

#include "error_of.h"
#include "util/error.h"

namespace lrpseg {
namespace {

const auto kDouble = torch::TensorOptions().dtype(torch::kDouble);

// score(x) = Σ x²: gradient 2x, IG from 0 exactly x², occlusion of a patch Σ_patch x².
const Score kQuadratic = [](const torch::Tensor& b) { return (b * b).sum({1, 2, 3, 4}); };

torch::Tensor small_input() {
  torch::manual_seed(0);
  return torch::randn({1, 2, 2, 4, 4}, kDouble);
}

UNet tiny_unet() {
  torch::manual_seed(1);
  UNet net(UNetOptions{6, 2, 2});
  net->to(torch::kDouble);
  net->eval();
  return net;
}

TEST(Attribution, GradientOfAQuadraticIsTwiceTheInput) {
  const torch::Tensor x = small_input();
  EXPECT_TRUE(torch::allclose(gradient(kQuadratic, x), 2 * x, 1e-14, 1e-14));
}

TEST(Attribution, IntegratedGradientsOfAQuadraticIsTheSquare) {
  const torch::Tensor x = small_input();
  const torch::Tensor ig = integrated_gradients(kQuadratic, x, torch::zeros_like(x), 4, 3);
  EXPECT_TRUE(torch::allclose(ig, x * x, 1e-13, 1e-13));
}

TEST(Attribution, OcclusionSpreadsEachPatchDropOverThePatch) {
  const torch::Tensor x = small_input();
  AttributionOptions o;
  o.occlusion_patch = {1, 2, 2};
  o.occlusion_channels = OcclusionChannels::Each;
  o.batch = 5;
  const torch::Tensor got = occlusion(kQuadratic, x, o);
  // By hand: each 1x2x2 window of each channel loses Σ_window x².
  torch::Tensor expected = torch::zeros_like(x);
  for (int64_t c = 0; c < 2; ++c)
    for (int64_t d = 0; d < 2; ++d)
      for (int64_t h = 0; h < 4; h += 2)
        for (int64_t w = 0; w < 4; w += 2) {
          torch::Tensor window = x[0][c][d].narrow(0, h, 2).narrow(1, w, 2);
          expected[0][c][d].narrow(0, h, 2).narrow(1, w, 2).fill_((window * window).sum());
        }
  EXPECT_TRUE(torch::allclose(got, expected, 1e-12, 1e-12));
}

TEST(Attribution, OcclusionOfAllChannelsGivesEachChannelThePatchDrop) {
  const torch::Tensor x = small_input();
  AttributionOptions o;
  o.occlusion_patch = {2, 2, 4};
  o.batch = 3;
  const torch::Tensor got = occlusion(kQuadratic, x, o);
  // By hand: the 2x2x4 window across both channels loses Σ over both channels of x².
  torch::Tensor expected = torch::zeros_like(x);
  for (int64_t h = 0; h < 4; h += 2) {
    torch::Tensor window = x[0].narrow(2, h, 2);
    expected[0].narrow(2, h, 2).fill_((window * window).sum());
  }
  EXPECT_TRUE(torch::allclose(got, expected, 1e-12, 1e-12));
}

TEST(Attribution, OcclusionSkipsPatchesThatAreAlreadyZero) {
  torch::Tensor x = small_input();
  x[0][1].zero_();                     // channel 1: background
  x[0][0][0].narrow(0, 0, 2).zero_();  // channel 0, slice 0, rows 0-1
  int64_t scored = 0;
  const Score counting = [&](const torch::Tensor& b) {
    scored += b.size(0);
    return kQuadratic(b);
  };
  AttributionOptions o;
  o.occlusion_patch = {1, 2, 2};
  o.occlusion_channels = OcclusionChannels::Each;
  const torch::Tensor got = occlusion(counting, x, o);
  // 16 windows; channel 1's 8 and two of channel 0's are zero: 6 occluded copies + the clean input.
  EXPECT_EQ(scored, 7);
  EXPECT_TRUE(torch::equal(got[0][1], torch::zeros_like(got[0][1])));
  o.occlusion_channels = OcclusionChannels::All;
  scored = 0;
  const torch::Tensor all = occlusion(counting, x, o);
  EXPECT_EQ(scored, 1 + 6);  // the two windows zero in both channels need no forward
  EXPECT_TRUE(torch::equal(all[0][0][0].narrow(0, 0, 2), torch::zeros({2, 4}, kDouble)));
  EXPECT_TRUE(torch::allclose(all[0][0], got[0][0], 1e-12, 1e-12));
}

TEST(Attribution, OverlappingOcclusionPatchesAverage) {
  // Stride 1 along W on a 1x1x1x1x3 input: voxel 1 is in both windows of width 2.
  const torch::Tensor x = torch::tensor({1.0, 2.0, 3.0}, kDouble).view({1, 1, 1, 1, 3});
  AttributionOptions o;
  o.occlusion_patch = {1, 1, 2};
  o.occlusion_stride = {1, 1, 1};
  const torch::Tensor got = occlusion(kQuadratic, x, o);
  // windows [0,1]: drop 1 + 4 = 5; [1,2]: drop 4 + 9 = 13.
  const torch::Tensor expected = torch::tensor({5.0, 9.0, 13.0}, kDouble).view({1, 1, 1, 1, 3});
  EXPECT_TRUE(torch::allclose(got, expected));
}

TEST(Attribution, SmoothGradWithoutNoiseIsTheGradient) {
  const torch::Tensor x = small_input();
  AttributionOptions o;
  o.smoothgrad_sigma = 0.0;
  o.smoothgrad_samples = 3;
  EXPECT_TRUE(torch::allclose(smoothgrad(kQuadratic, x, o), 2 * x, 1e-14, 1e-14));
  o.smoothgrad_sigma = 0.1;
  o.smoothgrad_samples = 4;
  EXPECT_TRUE(torch::equal(smoothgrad(kQuadratic, x, o), smoothgrad(kQuadratic, x, o)));
}

TEST(Attribution, UNetGradientMatchesCentralFiniteDifferences) {
  UNet net = tiny_unet();
  torch::manual_seed(2);
  const torch::Tensor x = torch::rand({1, 6, 4, 6, 6}, kDouble);
  const torch::Tensor weights = target_weights(net->forward(x).detach(), Target::Lesion);
  const Score score = unet_score(net, weights);
  const torch::Tensor g = gradient(score, x);
  torch::NoGradGuard no_grad;
  const double h = 1e-6;
  for (const std::array<int64_t, 4>& v :
       {std::array<int64_t, 4>{0, 1, 2, 3}, std::array<int64_t, 4>{3, 0, 5, 5},
        std::array<int64_t, 4>{5, 3, 1, 0}}) {
    torch::Tensor up = x.clone(), down = x.clone();
    up[0][v[0]][v[1]][v[2]][v[3]] += h;
    down[0][v[0]][v[1]][v[2]][v[3]] -= h;
    const double fd = (score(up) - score(down)).item<double>() / (2 * h);
    EXPECT_NEAR(g[0][v[0]][v[1]][v[2]][v[3]].item<double>(), fd, 1e-6 * (std::abs(fd) + 1));
  }
}

TEST(Attribution, IntegratedGradientsIsCompleteOnAUNet) {
  UNet net = tiny_unet();
  torch::manual_seed(3);
  const torch::Tensor x = torch::rand({1, 6, 4, 6, 6}, kDouble);
  AttributionOptions o;
  o.ig_steps = 64;
  const torch::Tensor weights = torch::ones({1, 2, 4, 6, 6}, kDouble);  // target all
  const torch::Tensor ig = attribute(net, x, Method::IntegratedGradients, weights, o);
  torch::NoGradGuard no_grad;
  const double expected =
      (unet_score(net, weights)(x) - unet_score(net, weights)(torch::zeros_like(x))).item<double>();
  EXPECT_NEAR(ig.sum().item<double>(), expected, 0.01 * std::abs(expected));
}

// Float32 gradients take the input-only convolution backward (parameters frozen
// while the attribution runs): equal to the float64 autograd gradient, and the
// parameters ask for gradients again afterwards.
TEST(Attribution, FloatUNetGradientMatchesFloat64AndUnfreezesParameters) {
  UNet net = tiny_unet();
  torch::manual_seed(4);
  const torch::Tensor x = torch::rand({1, 6, 5, 6, 6}, kDouble);
  const torch::Tensor weights = target_weights(net->forward(x).detach(), Target::Lesion);
  const torch::Tensor expected = gradient(unet_score(net, weights), x);
  UNet net32 = with_dtype(net, torch::kFloat);
  const torch::Tensor g = attribute(net32, x.to(torch::kFloat), Method::Gradient,
                                    weights.to(torch::kFloat), AttributionOptions{});
  EXPECT_LT((g.to(torch::kDouble) - expected).abs().max().item<double>(),
            1e-4 * expected.abs().max().item<double>());
  for (const torch::Tensor& p : net32->parameters()) EXPECT_TRUE(p.requires_grad());
}

TEST(Attribution, BlurBaselineKeepsAConstantVolume) {
  AttributionOptions o;
  o.ig_baseline = "blur";
  const torch::Tensor x = torch::full({1, 2, 3, 5, 5}, 0.7, kDouble);
  EXPECT_TRUE(torch::allclose(ig_baseline(x, o), x, 1e-12, 1e-12));
}

TEST(Attribution, LesionMaskTargetWeightsPredictedLesionVoxels) {
  const torch::Tensor y = torch::tensor({1.0, 0.0, 0.2, 0.9}, kDouble).view({1, 2, 1, 1, 2});
  const torch::Tensor w = target_weights(y, Target::LesionMask);
  EXPECT_TRUE(torch::equal(w, torch::tensor({0.0, 0.0, 0.0, 1.0}, kDouble).view({1, 2, 1, 1, 2})));
}

TEST(Attribution, BadOptionsNameTheOption) {
  EXPECT_NE(test::error_of([] { parse_methods("lrp,saliency"); }).find("--method"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { parse_methods("gradient,gradient"); }).find("--method"),
            std::string::npos);
  AttributionOptions o;
  o.ig_steps = 0;
  EXPECT_NE(test::error_of([&] {
              check_attribution_options(o, {19, 48, 48});
            }).find("--ig-steps"),
            std::string::npos);
  o = AttributionOptions{};
  o.occlusion_patch = {1, 64, 8};
  EXPECT_NE(test::error_of([&] {
              check_attribution_options(o, {19, 48, 48});
            }).find("--occlusion-patch"),
            std::string::npos);
  EXPECT_EQ(parse_methods("lrp,occlusion").size(), 2u);
  EXPECT_NE(test::error_of([] { parse_occlusion_channels("some"); }).find("--occlusion-channels"),
            std::string::npos);
  EXPECT_EQ(parse_occlusion_channels("each"), OcclusionChannels::Each);
}

}  // namespace
}  // namespace lrpseg
