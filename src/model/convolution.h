#pragma once
// conv3d and conv_transpose3d for the recorded forward and the LRP rules, on the
// fastest path LibTorch 1.13 offers per precision on the CPU:
// - float32: oneDNN directly (ATen sends a batch-1 conv3d with N·C·D·H ≤ 20480
//   to its native im2col kernel, 3–8× slower here);
// - float64: ATen's slow_conv3d is ~10× slower than float32, and oneDNN has no
//   float64, so stride-1 convolutions run as one OpenBLAS dgemm per kernel offset
//   over the zero-padded volume, and kernel == stride (transposed) convolutions as
//   a single dgemm; other geometries fall back to ATen.
// A batch (K relevance maps, a gradient batch) runs one sample per call in both:
// oneDNN slows down far more than linearly with the batch at 1–2 threads here
// (48→16 channels at 19x48x48: 9 ms for one sample, 141 ms for four), and the
// dgemms over a whole batch stream their output 27 times through memory (a
// 16→16 convolution of 17 maps: 1.43 s batched, 0.50 s sample by sample).
// Autograd keeps working. When only the input needs a gradient (attributions:
// parameters frozen), float32 convolutions record their own backward, the
// adjoint below, sample by sample; otherwise ATen's own call (float32) or
// differentiable tensor ops (float64) are recorded. Float32 geometries are checked
// against float64 on first use (model/convolution_check.h).
#include <torch/torch.h>

#include <array>
#include <vector>

namespace lrpseg {

using Dims3 = std::array<int64_t, 3>;

// As ATen's calls take sizes.
inline std::vector<int64_t> vec(const Dims3& a) { return {a[0], a[1], a[2]}; }

// x (N, C_in, D, H, W), weight (C_out, C_in, k…), bias (C_out) or undefined.
torch::Tensor conv3d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                     Dims3 stride, Dims3 padding);

// x (N, C_in, D, H, W), weight (C_in, C_out, k…), bias (C_out) or undefined.
torch::Tensor conv_transpose3d(const torch::Tensor& x, const torch::Tensor& weight,
                               const torch::Tensor& bias, Dims3 stride, Dims3 padding,
                               Dims3 output_padding = {0, 0, 0});

// The adjoints (transposes) of the two, as linear maps of their input: the
// gradient with respect to x of ⟨s, conv3d(x, W)⟩ and of ⟨s, conv_transpose3d(x, W)⟩.
// input_dhw: the size of x, which a strided convolution does not determine.
torch::Tensor conv3d_adjoint(const torch::Tensor& s, const torch::Tensor& weight, Dims3 stride,
                             Dims3 padding, Dims3 input_dhw);
torch::Tensor conv_transpose3d_adjoint(const torch::Tensor& s, const torch::Tensor& weight,
                                       Dims3 stride, Dims3 padding);

}  // namespace lrpseg
