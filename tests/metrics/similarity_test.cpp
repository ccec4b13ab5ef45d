#include "metrics/similarity.h"

#include <gtest/gtest.h>

#include <cmath>

namespace lrpseg {
namespace {

// SSIM of one 11×11 window by explicit sums (Wang et al. 2004), on maps
// already normalised by their max|·|.
double ssim_one_window(const torch::Tensor& x, const torch::Tensor& y) {
  double g[11], total = 0;
  for (int i = 0; i < 11; ++i) total += g[i] = std::exp(-(i - 5) * (i - 5) / (2 * 1.5 * 1.5));
  double mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
  for (int i = 0; i < 11; ++i) {
    for (int j = 0; j < 11; ++j) {
      const double w = g[i] * g[j] / (total * total);
      const double a = x[i][j].item<double>(), b = y[i][j].item<double>();
      mx += w * a;
      my += w * b;
      xx += w * a * a;
      yy += w * b * b;
      xy += w * a * b;
    }
  }
  const double c1 = 0.02 * 0.02, c2 = 0.06 * 0.06;
  const double sx = xx - mx * mx, sy = yy - my * my, sxy = xy - mx * my;
  return (2 * mx * my + c1) * (2 * sxy + c2) / ((mx * mx + my * my + c1) * (sx + sy + c2));
}

TEST(Similarity, OneWindowMatchesTheDefinition) {
  torch::manual_seed(3);
  const torch::Tensor a = torch::rand({11, 11}, torch::kDouble) * 2 - 1;
  const torch::Tensor b = a + 0.3 * torch::randn({11, 11}, torch::kDouble);
  const torch::Tensor an = a / a.abs().max(), bn = b / b.abs().max();
  EXPECT_NEAR(ssim(a, b), ssim_one_window(an, bn), 1e-12);
}

TEST(Similarity, ScaleDoesNotCountAndSignDoes) {
  torch::manual_seed(4);
  const torch::Tensor a = torch::randn({2, 3, 16, 16}, torch::kDouble);
  EXPECT_NEAR(ssim(a, a), 1.0, 1e-12);
  EXPECT_NEAR(ssim(a, 7.5 * a), 1.0, 1e-12);
  // A sign flip inverts the structure term; SSIM's luminance term (local means
  // of both signs) keeps the product from reaching −1.
  EXPECT_LT(ssim(a, -a), 0.5);
}

TEST(Similarity, IndependentMapsAreDissimilar) {
  torch::manual_seed(5);
  const torch::Tensor a = torch::randn({6, 19, 48, 48}, torch::kDouble);
  const torch::Tensor b = torch::randn({6, 19, 48, 48}, torch::kDouble);
  EXPECT_LT(std::abs(ssim(a, b)), 0.02);
  EXPECT_NEAR(ssim(torch::zeros({4, 4}), torch::zeros({4, 4})), 1.0, 1e-12);
}

}  // namespace
}  // namespace lrpseg
