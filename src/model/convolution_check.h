#pragma once
// A LibTorch's float32 convolution kernels checked against float64 before lrpseg
// trusts them. Builds have shipped kernel libraries that compute some 3D
// convolutions wrongly without any error: Debian 13's LibTorch 2.6 with its oneDNN
// 3.7.2 gets 24 input channels wrong by 30–50 % on AVX-512 (12 on AVX2), and input
// gradients of batches of two (scripts/torch2-check.sh found both). So every
// float32 convolution geometry is checked once per process and device, on a small
// random batch of two: the forward lrpseg runs, ATen's own forward and its input and
// weight gradients (training), and the adjoint (the frozen-weight backward and LRP's
// relevance pass), each against ATen's float64 on the CPU. When one is off, the
// kernel library (oneDNN on the CPU, cuDNN on CUDA) is turned off for the process
// with one warning, and the geometry is checked again on ATen's own kernels; a
// geometry still off is an Error.
#include <functional>
#include <mutex>
#include <set>
#include <string>

#include "model/convolution.h"

namespace lrpseg {

struct ConvolutionGeometry {
  int64_t in_channels = 0, out_channels = 0;
  Dims3 kernel{}, stride{}, padding{}, output_padding{};
  bool transposed = false;
  bool bias = false;

  std::string describe() const;  // e.g. "24→8-channel 3x3x3 convolution (stride 1, padding 1)"
};

// The geometry of conv3d(x, weight, bias, …) or conv_transpose3d (weight layouts differ).
ConvolutionGeometry geometry_of(const torch::Tensor& weight, const torch::Tensor& bias,
                                Dims3 stride, Dims3 padding, Dims3 output_padding, bool transposed);

// The float32 computations of one geometry and how far they are from float64.
struct ConvolutionError {
  double relative = 0;  // max |float32 − float64| / max |float64|, the worst computation
  std::string worst;    // which: "forward", "ATen's forward", "input gradient", ...
};

// The computations under test; tests replace one to plant a wrong kernel.
struct FloatConvolutionKernels {
  std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& w,
                              const torch::Tensor& b, const ConvolutionGeometry&)>
      forward;  // lrpseg's own dispatch (model/convolution.h)
  std::function<torch::Tensor(const torch::Tensor& s, const torch::Tensor& w,
                              const ConvolutionGeometry&, Dims3 input_dhw)>
      adjoint;
};
FloatConvolutionKernels lrpseg_float_kernels();

ConvolutionError measure_float_convolution(const ConvolutionGeometry& geometry,
                                           torch::Device device,
                                           const FloatConvolutionKernels& kernels);

// Checks each geometry once per device (see the top of this file).
class ConvolutionVerifier {
 public:
  using Measure = std::function<ConvolutionError(const ConvolutionGeometry&, torch::Device)>;
  static constexpr double kTolerance = 1e-2;  // TF32 on CUDA stays near 1e-3; the bugs were > 0.1

  explicit ConvolutionVerifier(Measure measure);
  void verify(const ConvolutionGeometry& geometry, torch::Device device);

 private:
  ConvolutionError measure(const ConvolutionGeometry& geometry, torch::Device device);

  Measure measure_;
  std::mutex mutex_;
  std::set<std::string> checked_;
};

// The verifier of lrpseg's conv3d and conv_transpose3d.
ConvolutionVerifier& process_convolution_verifier();

}  // namespace lrpseg
