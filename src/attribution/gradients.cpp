// Gradient-based attributions: each batch of copies takes one forward and one
// backward pass; gradients flow to the input only.
#include <algorithm>
#include <cmath>

#include "attribution/attribution.h"

namespace lrpseg {

namespace {

// ∂score/∂input of every sample of `inputs` (B, …), `batch` samples per pass.
torch::Tensor batch_gradients(const Score& score, const torch::Tensor& inputs, int batch) {
  torch::AutoGradMode grad(true);
  std::vector<torch::Tensor> parts;
  for (int64_t first = 0; first < inputs.size(0); first += batch) {
    const int64_t n = std::min<int64_t>(batch, inputs.size(0) - first);
    torch::Tensor chunk = inputs.narrow(0, first, n).detach().requires_grad_(true);
    const torch::Tensor total = score(chunk).sum();
    parts.push_back(torch::autograd::grad({total}, {chunk})[0].detach());
  }
  return torch::cat(parts);
}

// 1-D Gaussian of σ voxels, truncated at 3σ, normalised.
torch::Tensor gaussian(double sigma, const torch::TensorOptions& options) {
  const int64_t radius = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(3 * sigma)));
  torch::Tensor t = torch::arange(-radius, radius + 1, options);
  torch::Tensor g = torch::exp(-0.5 * (t / sigma).pow(2));
  return g / g.sum();
}

}  // namespace

torch::Tensor gradient(const Score& score, const torch::Tensor& x) {
  return batch_gradients(score, x, 1);
}

torch::Tensor integrated_gradients(const Score& score, const torch::Tensor& x,
                                   const torch::Tensor& baseline, int steps, int batch) {
  // Midpoints α = (i + ½)/steps: the sum converges as steps⁻² on smooth paths.
  const torch::Tensor alphas =
      (torch::arange(steps, x.options()) + 0.5).div_(steps).view({-1, 1, 1, 1, 1});
  const torch::Tensor path = baseline + alphas * (x - baseline);  // (steps, C, D, H, W)
  const torch::Tensor mean_gradient = batch_gradients(score, path, batch).mean(0, true);
  return (x - baseline) * mean_gradient;
}

torch::Tensor smoothgrad(const Score& score, const torch::Tensor& x, const AttributionOptions& o) {
  auto generator = at::detail::createCPUGenerator(o.seed);
  const double range = (x.max() - x.min()).item<double>();
  std::vector<int64_t> shape = x.sizes().vec();
  shape[0] = o.smoothgrad_samples;
  const torch::Tensor noise =
      torch::randn(shape, generator, x.options().device(torch::kCPU)).to(x.device());
  const torch::Tensor noisy = x + noise * (o.smoothgrad_sigma * range);
  return batch_gradients(score, noisy, o.gradient_batch()).mean(0, true);
}

torch::Tensor ig_baseline(const torch::Tensor& x, const AttributionOptions& o) {
  if (o.ig_baseline == "zero") return torch::zeros_like(x);
  // Separable Gaussian blur per channel, zero padding renormalised at the borders.
  torch::Tensor blurred = x, weight = torch::ones_like(x);
  const torch::Tensor g = gaussian(o.ig_blur_sigma, x.options());
  const int64_t r = (g.size(0) - 1) / 2, channels = x.size(1);
  for (int axis = 0; axis < 3; ++axis) {
    std::vector<int64_t> kernel_shape{channels, 1, 1, 1, 1};
    kernel_shape[2 + axis] = g.size(0);
    std::vector<int64_t> padding{0, 0, 0};
    padding[axis] = r;
    const torch::Tensor k =
        g.view({1, 1, -1}).expand({channels, 1, g.size(0)}).reshape(kernel_shape);
    blurred = torch::conv3d(blurred, k, {}, 1, padding, 1, channels);
    weight = torch::conv3d(weight, k, {}, 1, padding, 1, channels);
  }
  return blurred / weight;
}

}  // namespace lrpseg
