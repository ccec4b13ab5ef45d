#include "metrics/similarity.h"

#include <algorithm>
#include <cmath>

#include "util/error.h"

namespace lrpseg {
namespace {

torch::Tensor normalised_slices(const torch::Tensor& map) {
  const torch::Tensor x = map.to(torch::kDouble);
  const double m = x.abs().max().item<double>();
  const torch::Tensor scaled = m > 0 ? x / m : x;
  return scaled.reshape({-1, 1, map.size(-2), map.size(-1)});
}

torch::Tensor gaussian_window(int64_t size, double sigma) {
  const torch::Tensor t = torch::arange(size, torch::kDouble) - static_cast<double>(size - 1) / 2.0;
  torch::Tensor g = torch::exp(-(t * t) / (2 * sigma * sigma));
  g = g / g.sum();
  return torch::outer(g, g).view({1, 1, size, size});
}

}  // namespace

double ssim(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.sizes() != b.sizes()) throw Error("ssim: the maps differ in shape");
  if (a.dim() < 2) throw Error("ssim: expects maps with at least two axes");
  if (a.numel() == 0) throw Error("ssim: empty maps");
  const torch::Tensor x = normalised_slices(a), y = normalised_slices(b);
  int64_t size = std::min<int64_t>({11, a.size(-2), a.size(-1)});
  if (size % 2 == 0) --size;
  const torch::Tensor w = gaussian_window(size, 1.5 * static_cast<double>(size) / 11.0);
  auto blur = [&](const torch::Tensor& t) { return torch::conv2d(t, w); };
  const double range = 2.0, c1 = std::pow(0.01 * range, 2), c2 = std::pow(0.03 * range, 2);
  const torch::Tensor mx = blur(x), my = blur(y);
  const torch::Tensor sxx = blur(x * x) - mx * mx, syy = blur(y * y) - my * my,
                      sxy = blur(x * y) - mx * my;
  const torch::Tensor map =
      ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2));
  return map.mean().item<double>();
}

}  // namespace lrpseg
