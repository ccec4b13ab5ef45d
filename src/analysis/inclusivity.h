#pragma once
// The paper's inclusivity coefficient (Tjoa et al. eq. 2; DESIGN.md §4):
// D(a, b) = |a ∩ b| / (|b| + s), the share of b covered by a.
#include <torch/torch.h>

#include <optional>
#include <vector>

namespace lrpseg {

// a, b: boolean (or 0/1) tensors of one shape. Undefined (nullopt) when
// |b| + s == 0, so that callers report it instead of averaging a 0 or a NaN.
std::optional<double> inclusivity(const torch::Tensor& a, const torch::Tensor& b,
                                  double smoothing = 0.0);

// D from the counts |a ∩ b| and |b|: overlap / (size + s), nullopt when
// size + s == 0. The one place the coefficient's definition lives.
std::optional<double> inclusivity_coefficient(double overlap, double size, double smoothing);

// D(a_c, b_c) per channel c of (C, ...) masks, all channels at once; b may also
// broadcast over the channels, e.g. one ground truth (D, H, W) for all.
std::vector<std::optional<double>> inclusivity_per_channel(const torch::Tensor& a,
                                                           const torch::Tensor& b,
                                                           double smoothing = 0.0);

// The mean of the defined values (e.g. per-channel coefficients); nullopt when
// none is defined, never a 0 standing in for "undefined".
std::optional<double> mean_of_defined(const std::vector<std::optional<double>>& values);

// Per channel c of x (C, ...): [ |x_c| / max|x_c| > threshold ], strict, with
// the quotient of float32 values taken in float64 (so a value exactly at the
// threshold is excluded). A channel with max|x_c| == 0 gives an empty mask.
torch::Tensor amplitude_mask(const torch::Tensor& x, double threshold);

}  // namespace lrpseg
