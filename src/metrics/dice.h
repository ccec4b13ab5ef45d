#pragma once
#include <torch/torch.h>

namespace lrpseg {

// DSC = 2 Σ p·g / (Σ p + Σ g) of two binary volumes of the same shape. Two
// empty volumes agree perfectly: 1.
double dice_score(const torch::Tensor& prediction, const torch::Tensor& truth);

}  // namespace lrpseg
