#include "model/convolution_check.h"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/impl/LocalDispatchKeySet.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <sstream>
#include <vector>

#include "util/error.h"

namespace lrpseg {

namespace {

std::string dims_text(const Dims3& a) {
  if (a[0] == a[1] && a[1] == a[2]) return std::to_string(a[0]);
  return std::to_string(a[0]) + "x" + std::to_string(a[1]) + "x" + std::to_string(a[2]);
}

// The smallest input the geometry accepts, with unequal sides so that mixed-up axes
// show: (1, 2, 3) outputs for a stride-1 'same' convolution. Small, since the float64
// reference runs on ATen's slow kernels (the 18 geometries of the paper's width-32
// U-Net take about 2 s on 2 cores, oneDNN's first calls included).
Dims3 canary_input(const ConvolutionGeometry& g) {
  Dims3 dhw;
  for (int d = 0; d < 3; ++d) {
    dhw[d] = g.transposed ? 1 + d
                          : std::max<int64_t>(g.kernel[d] - 2 * g.padding[d], 1) + g.stride[d] * d;
  }
  return dhw;
}

// Relative distance of a float32 result (on any device) to its float64 reference.
double relative_error(const torch::Tensor& result, const torch::Tensor& reference) {
  if (result.sizes() != reference.sizes()) return INFINITY;
  const double scale = reference.abs().max().item<double>();
  const double error =
      (result.to(torch::kCPU, torch::kDouble) - reference).abs().max().item<double>();
  if (std::isnan(error)) return INFINITY;
  return error / std::max(scale, 1e-300);
}

std::string device_key(const ConvolutionGeometry& g, torch::Device device) {
  std::ostringstream key;
  key << device << ' ' << g.in_channels << ' ' << g.out_channels << ' ' << g.transposed << ' '
      << g.bias;
  for (const Dims3* a : {&g.kernel, &g.stride, &g.padding, &g.output_padding})
    key << ' ' << dims_text(*a);
  return key.str();
}

// Turns off the kernel library that float32 convolutions on `device` go through;
// false when it was off already. Returns its name through `library`.
bool turn_off_kernel_library(torch::Device device, std::string& library) {
  auto& context = at::globalContext();
  if (device.is_cuda()) {
    library = "cuDNN";
    if (!context.userEnabledCuDNN()) return false;
    context.setUserEnabledCuDNN(false);
    return true;
  }
  library = "oneDNN";
  if (!context.userEnabledMkldnn()) return false;
  context.setUserEnabledMkldnn(false);
  return true;
}

}  // namespace

std::string ConvolutionGeometry::describe() const {
  std::ostringstream text;
  text << in_channels << "→" << out_channels << "-channel " << kernel[0] << "x" << kernel[1] << "x"
       << kernel[2] << (transposed ? " transposed convolution" : " convolution") << " (stride "
       << dims_text(stride) << ", padding " << dims_text(padding);
  if (transposed && (output_padding[0] || output_padding[1] || output_padding[2])) {
    text << ", output padding " << dims_text(output_padding);
  }
  text << (bias ? ", bias)" : ", no bias)");
  return text.str();
}

ConvolutionGeometry geometry_of(const torch::Tensor& weight, const torch::Tensor& bias,
                                Dims3 stride, Dims3 padding, Dims3 output_padding,
                                bool transposed) {
  ConvolutionGeometry g;
  g.in_channels = weight.size(transposed ? 0 : 1);
  g.out_channels = weight.size(transposed ? 1 : 0);
  g.kernel = {weight.size(2), weight.size(3), weight.size(4)};
  g.stride = stride;
  g.padding = padding;
  g.output_padding = output_padding;
  g.transposed = transposed;
  g.bias = bias.defined();
  return g;
}

FloatConvolutionKernels lrpseg_float_kernels() {
  FloatConvolutionKernels k;
  k.forward = [](const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b,
                 const ConvolutionGeometry& g) {
    return g.transposed ? conv_transpose3d(x, w, b, g.stride, g.padding, g.output_padding)
                        : conv3d(x, w, b, g.stride, g.padding);
  };
  k.adjoint = [](const torch::Tensor& s, const torch::Tensor& w, const ConvolutionGeometry& g,
                 Dims3 input_dhw) {
    return g.transposed ? conv_transpose3d_adjoint(s, w, g.stride, g.padding)
                        : conv3d_adjoint(s, w, g.stride, g.padding, input_dhw);
  };
  return k;
}

ConvolutionError measure_float_convolution(const ConvolutionGeometry& g, torch::Device device,
                                           const FloatConvolutionKernels& kernels) {
  torch::NoGradGuard no_grad;
  // Inside training's autocast (--amp) the calls would run in bfloat16: float32 is checked.
  c10::impl::ExcludeDispatchKeyGuard no_autocast(c10::autocast_dispatch_keyset);
  const Dims3 dhw = canary_input(g);
  const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
  // A private generator: checking must not move the user's random stream.
  const auto generator = at::make_generator<at::CPUGeneratorImpl>(20241205);
  const torch::Tensor x = at::randn({2, g.in_channels, dhw[0], dhw[1], dhw[2]}, generator, f64);
  const torch::Tensor w =
      g.transposed
          ? at::randn({g.in_channels, g.out_channels, g.kernel[0], g.kernel[1], g.kernel[2]},
                      generator, f64)
          : at::randn({g.out_channels, g.in_channels, g.kernel[0], g.kernel[1], g.kernel[2]},
                      generator, f64);
  const torch::Tensor b = g.bias ? at::randn({g.out_channels}, generator, f64) : torch::Tensor();
  const std::vector<int64_t> dilation{1, 1, 1};
  const c10::optional<std::vector<int64_t>> bias_sizes =
      g.bias ? c10::optional<std::vector<int64_t>>(std::vector<int64_t>{g.out_channels})
             : c10::nullopt;
  auto aten_forward = [&](const torch::Tensor& xx, const torch::Tensor& ww,
                          const torch::Tensor& bb) {
    return at::convolution(xx, ww, bb, vec(g.stride), vec(g.padding), dilation, g.transposed,
                           vec(g.output_padding), 1);
  };
  auto aten_backward = [&](const torch::Tensor& ss, const torch::Tensor& xx,
                           const torch::Tensor& ww) {
    at::OptionalIntArrayRef sizes;
    if (bias_sizes) sizes = *bias_sizes;
    return at::convolution_backward(ss, xx, ww, sizes, vec(g.stride), vec(g.padding), dilation,
                                    g.transposed, vec(g.output_padding), 1, {true, true, false});
  };
  // float64 on the CPU: ATen's own kernels (oneDNN and cuDNN have no float64).
  const torch::Tensor y64 = aten_forward(x, w, b);
  const torch::Tensor s = at::randn(y64.sizes(), generator, f64);
  const auto [gx64, gw64, unused64] = aten_backward(s, x, w);

  const auto f32 = torch::TensorOptions().dtype(torch::kFloat).device(device);
  const torch::Tensor x32 = x.to(f32), w32 = w.to(f32), s32 = s.to(f32);
  const torch::Tensor b32 = g.bias ? b.to(f32) : torch::Tensor();
  const auto [gx32, gw32, unused32] = aten_backward(s32, x32, w32);
  const std::vector<std::pair<std::string, double>> errors = {
      {"forward", relative_error(kernels.forward(x32, w32, b32, g), y64)},
      {"ATen's forward", relative_error(aten_forward(x32, w32, b32), y64)},
      {"input gradient", relative_error(gx32, gx64)},
      {"weight gradient", relative_error(gw32, gw64)},
      {"adjoint", relative_error(kernels.adjoint(s32, w32, g, dhw), gx64)},
  };
  ConvolutionError worst{-1, ""};
  for (const auto& [what, error] : errors) {
    if (error > worst.relative) worst = {error, what};
  }
  return worst;
}

ConvolutionVerifier::ConvolutionVerifier(Measure measure) : measure_(std::move(measure)) {}

namespace {
// Set while this thread measures: the adjoint's convolutions are part of that measure.
thread_local bool measuring = false;

struct Measuring {
  Measuring() { measuring = true; }
  ~Measuring() { measuring = false; }
};
}  // namespace

ConvolutionError ConvolutionVerifier::measure(const ConvolutionGeometry& g, torch::Device device) {
  Measuring scope;
  return measure_(g, device);
}

void ConvolutionVerifier::verify(const ConvolutionGeometry& g, torch::Device device) {
  if (measuring) return;
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string key = device_key(g, device);
  if (!checked_.insert(key).second) return;
  ConvolutionError error = measure(g, device);
  if (error.relative <= kTolerance) return;
  auto wrong = [&](const std::string& condition) {
    std::ostringstream text;
    text << "float32 " << error.worst << " of a " << g.describe() << " on " << device
         << " is off by " << error.relative << " (relative to float64)" << condition;
    return text.str();
  };
  std::string library, condition;
  if (turn_off_kernel_library(device, library)) {
    std::cerr << "lrpseg: warning: " << wrong(" with this LibTorch's " + library) << "; " << library
              << " is off for this run (ATen's own kernels: slower, correct)" << std::endl;
    checked_ = {key};  // what passed ran on the library just turned off
    error = measure(g, device);
    if (error.relative <= kTolerance) return;
    condition = " even without " + library;
  }
  checked_.erase(key);  // refused again on its next use
  throw Error(wrong(condition) + ": this LibTorch computes float32 convolutions wrongly");
}

ConvolutionVerifier& process_convolution_verifier() {
  static ConvolutionVerifier verifier([](const ConvolutionGeometry& g, torch::Device device) {
    return measure_float_convolution(g, device, lrpseg_float_kernels());
  });
  return verifier;
}

}  // namespace lrpseg
