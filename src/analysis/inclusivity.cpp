#include "analysis/inclusivity.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "util/error.h"

namespace lrpseg {

std::optional<double> inclusivity_coefficient(double overlap, double size, double smoothing) {
  const double denominator = size + smoothing;
  if (denominator == 0) return std::nullopt;
  return overlap / denominator;
}

std::vector<std::optional<double>> inclusivity_per_channel(const torch::Tensor& a,
                                                           const torch::Tensor& b,
                                                           double smoothing) {
  // One voxel per channel when a is 1-D, so that the sums below have a voxel axis.
  auto a_mask = (a.dim() < 2 ? a.reshape({-1, 1}) : a).to(torch::kBool).to(torch::kFloat32);
  auto b_bool = (b.dim() < 2 ? b.reshape({-1, 1}) : b).to(torch::kBool);
  torch::Tensor b_mask;
  try {
    // b may broadcast over the channels (one ground truth for all of them);
    // expand is a view, so that costs no copy.
    b_mask = b_bool.to(torch::kFloat32).expand_as(a_mask);
  } catch (const c10::Error&) {
    throw Error("inclusivity: masks of different shapes");
  }
  std::vector<int64_t> voxel_dims;
  for (int64_t d = 1; d < a_mask.dim(); ++d) voxel_dims.push_back(d);
  // Counting 0/1 floats is ~8x faster than summing bools (which go through
  // int64); the counts are exact below 2^24 voxels per channel (a case has ~1M).
  auto overlap = (a_mask * b_mask).sum(voxel_dims).to(torch::kFloat64).cpu();
  auto b_size = b_mask.sum(voxel_dims).to(torch::kFloat64).cpu();
  auto overlap_a = overlap.accessor<double, 1>();
  auto b_size_a = b_size.accessor<double, 1>();
  std::vector<std::optional<double>> values;
  for (int64_t c = 0; c < a_mask.size(0); ++c)
    values.push_back(inclusivity_coefficient(overlap_a[c], b_size_a[c], smoothing));
  return values;
}

std::optional<double> inclusivity(const torch::Tensor& a, const torch::Tensor& b,
                                  double smoothing) {
  if (a.sizes() != b.sizes()) throw Error("inclusivity: masks of different shapes");
  return inclusivity_per_channel(a.reshape({1, -1}), b.reshape({1, -1}), smoothing)[0];
}

namespace {

// The smallest float v with double(v) / double(max) > threshold. Comparing
// |x| >= v in float32 then selects exactly the voxels of the float64 definition
// without a float64 copy of the volume (the division is monotone in v).
float smallest_above(float max, double threshold) {
  if (!(max > 0)) return std::numeric_limits<float>::infinity();
  auto above = [&](float v) { return static_cast<double>(v) / max > threshold; };
  float v = std::max(0.0f, static_cast<float>(threshold * max));
  if (above(v)) {
    while (v > 0 && above(std::nextafter(v, 0.0f))) v = std::nextafter(v, 0.0f);
  } else {
    while (!above(v) && std::isfinite(v))
      v = std::nextafter(v, std::numeric_limits<float>::infinity());
  }
  return v;
}

}  // namespace

torch::Tensor amplitude_mask(const torch::Tensor& x, double threshold) {
  if (x.scalar_type() == torch::kDouble) {
    // float64 relevance is binarised in float64, as defined.
    const torch::Tensor magnitude = x.abs();
    std::vector<int64_t> shape(x.dim(), 1);
    shape[0] = x.size(0);
    const torch::Tensor max = std::get<0>(magnitude.reshape({x.size(0), -1}).max(1)).reshape(shape);
    return (magnitude / max > threshold) & (max > 0);
  }
  auto magnitude = x.abs().to(torch::kFloat32);
  auto max = std::get<0>(magnitude.reshape({x.size(0), -1}).max(1)).cpu();
  auto max_a = max.accessor<float, 1>();
  std::vector<float> lowest(x.size(0));
  for (int64_t c = 0; c < x.size(0); ++c) lowest[c] = smallest_above(max_a[c], threshold);
  std::vector<int64_t> shape(x.dim(), 1);
  shape[0] = x.size(0);
  // A zero channel gets an infinite bound: an empty mask rather than 0/0 = NaN.
  return magnitude >= torch::tensor(lowest).reshape(shape).to(x.device());
}

std::optional<double> mean_of_defined(const std::vector<std::optional<double>>& values) {
  double sum = 0;
  int n = 0;
  for (const auto& v : values) {
    if (!v) continue;
    sum += *v;
    ++n;
  }
  if (n == 0) return std::nullopt;
  return sum / n;
}

}  // namespace lrpseg
