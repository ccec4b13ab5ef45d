#include "model/convolution.h"

#include <torch/csrc/autograd/custom_function.h>

#include <vector>

#include "model/convolution_check.h"

namespace lrpseg {

namespace {

bool needs_grad(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
  return torch::GradMode::is_enabled() &&
         (x.requires_grad() || w.requires_grad() || (b.defined() && b.requires_grad()));
}

bool gemm_path(const torch::Tensor& x) {
  return x.device().is_cpu() && x.scalar_type() == torch::kDouble;
}

torch::Tensor add_bias(torch::Tensor y, const torch::Tensor& bias) {
  if (!bias.defined()) return y;
  return y + bias.view({1, -1, 1, 1, 1});
}

// Samples side by side in one channel-major matrix: (N, C, M) → (C, N·M).
torch::Tensor channel_major(const torch::Tensor& x, int64_t channels, int64_t per_sample) {
  const int64_t n = x.size(0);
  if (n == 1) return x.reshape({channels, per_sample});
  return x.reshape({n, channels, per_sample}).transpose(0, 1).reshape({channels, n * per_sample});
}

// Stride 1: on the padded grid flattened, output voxel q reads input q + δ for
// kernel offset δ = a·Hp·Wp + b·Wp + c, so each offset is one GEMM of the
// weight slice with a shifted (contiguous-row) view of the padded input. Output
// positions outside the valid window are computed and thrown away (≈20 % at 3³).
torch::Tensor gemm_conv3d_stride1(const torch::Tensor& x, const torch::Tensor& weight,
                                  Dims3 padding) {
  const int64_t n = x.size(0), c_in = x.size(1), c_out = weight.size(0);
  const int64_t k0 = weight.size(2), k1 = weight.size(3), k2 = weight.size(4);
  const torch::Tensor padded = torch::constant_pad_nd(
      x, {padding[2], padding[2], padding[1], padding[1], padding[0], padding[0]});
  const int64_t dp = padded.size(2), hp = padded.size(3), wp = padded.size(4);
  const int64_t d_out = dp - k0 + 1, h_out = hp - k1 + 1, w_out = wp - k2 + 1;
  const int64_t volume = dp * hp * wp;
  const int64_t length = (n - 1) * volume + (d_out - 1) * hp * wp + (h_out - 1) * wp + w_out;
  const torch::Tensor columns = channel_major(padded, c_in, volume);
  // (k0, k1, k2, C_out, C_in): one contiguous (C_out, C_in) slice per offset.
  const torch::Tensor slices = weight.permute({2, 3, 4, 0, 1}).contiguous();
  torch::Tensor out = torch::zeros({c_out, n * volume}, x.options());
  torch::Tensor window = out.narrow(1, 0, length);
  for (int64_t a = 0; a < k0; ++a) {
    for (int64_t b = 0; b < k1; ++b) {
      for (int64_t c = 0; c < k2; ++c) {
        const int64_t shift = (a * hp + b) * wp + c;
        window.addmm_(slices[a][b][c], columns.narrow(1, shift, length));
      }
    }
  }
  return out.view({c_out, n, dp, hp, wp})
      .narrow(2, 0, d_out)
      .narrow(3, 0, h_out)
      .narrow(4, 0, w_out)
      .transpose(0, 1)
      .contiguous();
}

// Kernel == stride, no padding: windows do not overlap, so the convolution is one
// GEMM over (C_in·k0·k1·k2) rows of window contents.
torch::Tensor gemm_conv3d_blocks(const torch::Tensor& x, const torch::Tensor& weight) {
  const int64_t n = x.size(0), c_in = x.size(1), c_out = weight.size(0);
  const int64_t k0 = weight.size(2), k1 = weight.size(3), k2 = weight.size(4);
  const int64_t d = x.size(2) / k0, h = x.size(3) / k1, w = x.size(4) / k2;
  const torch::Tensor blocks = x.narrow(2, 0, d * k0)
                                   .narrow(3, 0, h * k1)
                                   .narrow(4, 0, w * k2)
                                   .reshape({n, c_in, d, k0, h, k1, w, k2})
                                   .permute({1, 3, 5, 7, 0, 2, 4, 6})
                                   .reshape({c_in * k0 * k1 * k2, n * d * h * w});
  return weight.reshape({c_out, c_in * k0 * k1 * k2})
      .mm(blocks)
      .view({c_out, n, d, h, w})
      .transpose(0, 1)
      .contiguous();
}

// The transposed convolution with kernel == stride and no padding: every input
// voxel writes its own output block, one GEMM and a reshuffle.
torch::Tensor gemm_conv_transpose3d_blocks(const torch::Tensor& x, const torch::Tensor& weight) {
  const int64_t n = x.size(0), c_in = x.size(1), c_out = weight.size(1);
  const int64_t k0 = weight.size(2), k1 = weight.size(3), k2 = weight.size(4);
  const int64_t d = x.size(2), h = x.size(3), w = x.size(4);
  const torch::Tensor columns = channel_major(x, c_in, d * h * w);
  return weight.reshape({c_in, c_out * k0 * k1 * k2})
      .t()
      .mm(columns)
      .view({c_out, k0, k1, k2, n, d, h, w})
      .permute({4, 0, 5, 1, 6, 2, 7, 3})
      .reshape({n, c_out, d * k0, h * k1, w * k2});
}

bool all_equal(const Dims3& a, int64_t v) { return a[0] == v && a[1] == v && a[2] == v; }

bool kernel_is_stride(const torch::Tensor& weight, const Dims3& stride) {
  return weight.size(2) == stride[0] && weight.size(3) == stride[1] && weight.size(4) == stride[2];
}

bool onednn_path(const torch::Tensor& x) {
  return x.device().is_cpu() && x.scalar_type() == torch::kFloat && at::hasMKLDNN() &&
         at::globalContext().userEnabledMkldnn();
}

// f applied to each sample on its own, the results stacked (see the header for why).
template <class F>
torch::Tensor sample_by_sample(const torch::Tensor& x, F&& f) {
  if (x.size(0) == 1) return f(x);
  std::vector<torch::Tensor> samples;
  for (int64_t i = 0; i < x.size(0); ++i) samples.push_back(f(x.narrow(0, i, 1)));
  return torch::cat(samples);
}

torch::Tensor onednn_conv3d(const torch::Tensor& x, const torch::Tensor& weight,
                            const torch::Tensor& bias, Dims3 stride, Dims3 padding) {
  const torch::Tensor w = weight.contiguous();
  const torch::Tensor b = bias.defined() ? bias.contiguous() : torch::Tensor();
  return sample_by_sample(x, [&](const torch::Tensor& sample) {
    return at::mkldnn_convolution(sample.contiguous(), w, b, vec(padding), vec(stride), {1, 1, 1},
                                  1);
  });
}

// Autograd asks for the gradient of x alone (weights frozen) of a float32 oneDNN
// convolution: recorded as an InputOnlyConvolution.
bool input_only_gradient(const torch::Tensor& x, const torch::Tensor& weight,
                         const torch::Tensor& bias) {
  return needs_grad(x, weight, bias) && onednn_path(x) && !weight.requires_grad() &&
         !(bias.defined() && bias.requires_grad());
}

Dims3 dims(const std::vector<int64_t>& v) { return {v[0], v[1], v[2]}; }

// What a convolution of constant weights applies to its one variable input.
struct ConstantConvolution {
  torch::Tensor weight, bias;
  Dims3 stride, padding, output_padding;
  bool transposed = false;
};

// A convolution of constant weights recorded for autograd with its adjoint as
// the backward, so the gradient takes the same fast paths as the forward. The
// weights travel outside the tensor arguments: autograd must not track them.
class InputOnlyConvolution : public torch::autograd::Function<InputOnlyConvolution> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const ConstantConvolution& c) {
    ctx->saved_data["weight"] = c.weight;
    ctx->saved_data["stride"] = vec(c.stride);
    ctx->saved_data["padding"] = vec(c.padding);
    ctx->saved_data["input_dhw"] = std::vector<int64_t>{x.size(2), x.size(3), x.size(4)};
    ctx->saved_data["transposed"] = c.transposed;
    return c.transposed
               ? conv_transpose3d(x, c.weight, c.bias, c.stride, c.padding, c.output_padding)
               : conv3d(x, c.weight, c.bias, c.stride, c.padding);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const torch::Tensor weight = ctx->saved_data["weight"].toTensor();
    const Dims3 stride = dims(ctx->saved_data["stride"].toIntVector());
    const Dims3 padding = dims(ctx->saved_data["padding"].toIntVector());
    const torch::Tensor s = grads[0].contiguous();
    if (ctx->saved_data["transposed"].toBool()) {
      return {conv_transpose3d_adjoint(s, weight, stride, padding), {}};
    }
    const Dims3 input_dhw = dims(ctx->saved_data["input_dhw"].toIntVector());
    return {conv3d_adjoint(s, weight, stride, padding, input_dhw), {}};
  }
};

}  // namespace

torch::Tensor conv3d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                     Dims3 stride, Dims3 padding) {
  if (x.scalar_type() == torch::kFloat) {
    process_convolution_verifier().verify(
        geometry_of(weight, bias, stride, padding, {0, 0, 0}, false), x.device());
  }
  if (input_only_gradient(x, weight, bias)) {
    return InputOnlyConvolution::apply(
        x, ConstantConvolution{weight, bias, stride, padding, {0, 0, 0}, false});
  }
  if (needs_grad(x, weight, bias)) {
    // Autograd through the 27 in-place GEMMs on views of one output would record a
    // copy of the whole output per offset; LibTorch's own convolution differentiates
    // about 5× faster in float64 (gradient-based attributions).
    return torch::conv3d(x, weight, bias, vec(stride), vec(padding));
  }
  if (gemm_path(x)) {
    auto stride1 = [&](const torch::Tensor& sample) {
      return gemm_conv3d_stride1(sample, weight, padding);
    };
    if (all_equal(stride, 1)) return add_bias(sample_by_sample(x, stride1), bias);
    if (all_equal(padding, 0) && kernel_is_stride(weight, stride)) {
      return add_bias(gemm_conv3d_blocks(x, weight), bias);
    }
  } else if (onednn_path(x)) {
    return onednn_conv3d(x, weight, bias, stride, padding);
  }
  return torch::conv3d(x, weight, bias, vec(stride), vec(padding));
}

torch::Tensor conv_transpose3d(const torch::Tensor& x, const torch::Tensor& weight,
                               const torch::Tensor& bias, Dims3 stride, Dims3 padding,
                               Dims3 output_padding) {
  if (x.scalar_type() == torch::kFloat) {
    process_convolution_verifier().verify(
        geometry_of(weight, bias, stride, padding, output_padding, true), x.device());
  }
  if (input_only_gradient(x, weight, bias)) {
    return InputOnlyConvolution::apply(
        x, ConstantConvolution{weight, bias, stride, padding, output_padding, true});
  }
  if (gemm_path(x) && all_equal(padding, 0) && all_equal(output_padding, 0) &&
      kernel_is_stride(weight, stride)) {
    return add_bias(gemm_conv_transpose3d_blocks(x, weight), bias);
  }
  return torch::conv_transpose3d(x, weight, bias, vec(stride), vec(padding), vec(output_padding));
}

torch::Tensor conv3d_adjoint(const torch::Tensor& s, const torch::Tensor& weight, Dims3 stride,
                             Dims3 padding, Dims3 input_dhw) {
  const Dims3 kernel{weight.size(2), weight.size(3), weight.size(4)};
  bool flip = all_equal(stride, 1);
  for (int d = 0; d < 3; ++d) flip = flip && padding[d] <= kernel[d] - 1;
  if (flip) {
    // Stride 1: conv_transpose3d(s, W, pad p) = conv3d(s, flip(W)ᵀ, pad k−1−p), and
    // the plain convolution is 1–6× faster on CPU (oneDNN) than the transposed one.
    Dims3 pad;
    for (int d = 0; d < 3; ++d) pad[d] = kernel[d] - 1 - padding[d];
    const torch::Tensor flipped = weight.flip({2, 3, 4}).transpose(0, 1).contiguous();
    return conv3d(s, flipped, {}, {1, 1, 1}, pad);
  }
  // Strided: output_padding restores the input size that the forward's floor() lost.
  Dims3 output_padding;
  for (int d = 0; d < 3; ++d) {
    output_padding[d] =
        input_dhw[d] - ((s.size(2 + d) - 1) * stride[d] - 2 * padding[d] + kernel[d]);
  }
  return conv_transpose3d(s, weight, {}, stride, padding, output_padding);
}

torch::Tensor conv_transpose3d_adjoint(const torch::Tensor& s, const torch::Tensor& weight,
                                       Dims3 stride, Dims3 padding) {
  // Output padding only adds rows the strided convolution never reads.
  return conv3d(s, weight, {}, stride, padding);
}

}  // namespace lrpseg
