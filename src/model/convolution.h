#pragma once
// conv3d and conv_transpose3d for the recorded forward and the LRP rules, on the
// fastest path LibTorch 1.13 offers per precision on the CPU:
// - float32: oneDNN directly (ATen sends a batch-1 conv3d with N·C·D·H ≤ 20480
//   to its native im2col kernel, 3–8× slower here);
// - float64: ATen's slow_conv3d is ~10× slower than float32, and oneDNN has no
//   float64, so stride-1 convolutions run as one OpenBLAS dgemm per kernel offset
//   over the zero-padded volume, and kernel == stride (transposed) convolutions as
//   a single dgemm; other geometries fall back to ATen.
// Both keep autograd working: with gradients required they use ATen's own call
// (float32) or differentiable tensor ops (float64).
#include <torch/torch.h>

#include <array>

namespace lrpseg {

using Dims3 = std::array<int64_t, 3>;

// x (N, C_in, D, H, W), weight (C_out, C_in, k…), bias (C_out) or undefined.
torch::Tensor conv3d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                     Dims3 stride, Dims3 padding);

// x (N, C_in, D, H, W), weight (C_in, C_out, k…), bias (C_out) or undefined.
torch::Tensor conv_transpose3d(const torch::Tensor& x, const torch::Tensor& weight,
                               const torch::Tensor& bias, Dims3 stride, Dims3 padding,
                               Dims3 output_padding = {0, 0, 0});

}  // namespace lrpseg
