#pragma once
// Structural similarity of two relevance maps, for the sanity checks of
// issue 11 (Adebayo et al. 2018 compare each randomised explanation with the
// original by rank correlation and SSIM).
#include <torch/torch.h>

namespace lrpseg {

// SSIM (Wang et al. 2004: Gaussian window 11×11, σ = 1.5, K1 = 0.01, K2 = 0.03)
// of two maps of the same shape (…, H, W), computed per 2-D slice of the last
// two axes and averaged. Each map is first divided by its own max|·| (so the
// scale of a map does not count, as for the paper's filters) and the data range
// is 2 ([−1, 1]). The window shrinks to the slice size (odd) for small slices.
// Two all-zero maps are identical (1); one all-zero map is compared as zeros.
double ssim(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace lrpseg
