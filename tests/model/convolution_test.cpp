// The float64 GEMM convolutions against ATen's own conv3d / conv_transpose3d,
// values and gradients; the float32 oneDNN path (sample by sample) against
// ATen; the adjoints against ⟨s, f(x)⟩ = ⟨f*(s), x⟩ and the input-only backward
// of frozen weights against ATen's float64 gradient.
#include "model/convolution.h"

#include <gtest/gtest.h>

#include <string>

namespace lrpseg {
namespace {

const auto kDouble = torch::TensorOptions().dtype(torch::kDouble);

void expect_close(const torch::Tensor& a, const torch::Tensor& b, double tolerance,
                  const std::string& what = "") {
  ASSERT_EQ(a.sizes(), b.sizes()) << what;
  const double scale = b.abs().max().item<double>() + 1e-300;
  EXPECT_LT((a - b).abs().max().item<double>() / scale, tolerance) << what;
}

struct ConvCase {
  std::vector<int64_t> input, weight;
  Dims3 stride, padding;
};

TEST(Convolution, DoubleConv3dMatchesATenOnEveryGeometryTheUNetUses) {
  torch::manual_seed(0);
  const std::vector<ConvCase> cases = {
      {{1, 3, 5, 7, 6}, {4, 3, 3, 3, 3}, {1, 1, 1}, {1, 1, 1}},  // the U-Net's 3x3x3 'same'
      {{3, 2, 4, 5, 3}, {5, 2, 3, 3, 3}, {1, 1, 1}, {1, 1, 1}},  // a batch of K relevance maps
      {{2, 4, 3, 4, 5}, {2, 4, 1, 1, 1}, {1, 1, 1}, {0, 0, 0}},  // the 1x1x1 head
      {{1, 2, 5, 6, 4}, {3, 2, 3, 2, 3}, {1, 1, 1}, {0, 1, 2}},  // uneven kernel and padding
      {{2, 3, 6, 4, 8}, {2, 3, 2, 2, 2}, {2, 2, 2}, {0, 0, 0}},  // kernel = stride (up adjoint)
      {{1, 3, 7, 5, 9}, {2, 3, 2, 2, 2}, {2, 2, 2}, {0, 0, 0}},  // odd sizes: floor
      {{1, 2, 5, 5, 5}, {2, 2, 3, 3, 3}, {2, 2, 2}, {1, 1, 1}},  // other: ATen fallback
  };
  for (const ConvCase& c : cases) {
    const torch::Tensor x = torch::randn(c.input, kDouble);
    const torch::Tensor w = torch::randn(c.weight, kDouble);
    const torch::Tensor b = torch::randn({c.weight[0]}, kDouble);
    const torch::Tensor expected = torch::conv3d(x, w, b, vec(c.stride), vec(c.padding));
    expect_close(lrpseg::conv3d(x, w, b, c.stride, c.padding), expected, 1e-13);
    expect_close(lrpseg::conv3d(x, w, {}, c.stride, c.padding),
                 torch::conv3d(x, w, {}, vec(c.stride), vec(c.padding)), 1e-13);
  }
}

TEST(Convolution, DoubleConvTranspose3dWithKernelEqualToStrideMatchesATen) {
  torch::manual_seed(1);
  for (const std::vector<int64_t>& shape :
       {std::vector<int64_t>{1, 4, 3, 2, 3}, std::vector<int64_t>{3, 2, 2, 3, 1}}) {
    const torch::Tensor x = torch::randn(shape, kDouble);
    const torch::Tensor w = torch::randn({shape[1], 5, 2, 2, 2}, kDouble);
    const torch::Tensor b = torch::randn({5}, kDouble);
    expect_close(lrpseg::conv_transpose3d(x, w, b, {2, 2, 2}, {0, 0, 0}),
                 torch::conv_transpose3d(x, w, b, {2, 2, 2}), 1e-13);
  }
  // Other geometries fall back to ATen with the same result.
  const torch::Tensor x = torch::randn({1, 2, 3, 3, 3}, kDouble);
  const torch::Tensor w = torch::randn({2, 3, 3, 3, 3}, kDouble);
  expect_close(lrpseg::conv_transpose3d(x, w, {}, {2, 2, 2}, {1, 1, 1}, {1, 1, 1}),
               torch::conv_transpose3d(x, w, {}, {2, 2, 2}, {1, 1, 1}, {1, 1, 1}), 1e-13);
}

TEST(Convolution, DoubleConv3dGradientsMatchATen) {
  torch::manual_seed(2);
  const torch::Tensor x0 = torch::randn({2, 3, 4, 5, 3}, kDouble);
  const torch::Tensor w0 = torch::randn({2, 3, 3, 3, 3}, kDouble);
  const torch::Tensor g = torch::randn({2, 2, 4, 5, 3}, kDouble);
  auto gradients = [&](bool ours) {
    torch::Tensor x = x0.clone().requires_grad_(), w = w0.clone().requires_grad_();
    torch::Tensor y =
        ours ? lrpseg::conv3d(x, w, {}, {1, 1, 1}, {1, 1, 1}) : torch::conv3d(x, w, {}, 1, 1);
    (y * g).sum().backward();
    return std::make_pair(x.grad(), w.grad());
  };
  const auto [x_ours, w_ours] = gradients(true);
  const auto [x_aten, w_aten] = gradients(false);
  expect_close(x_ours, x_aten, 1e-12);
  expect_close(w_ours, w_aten, 1e-12);
}

TEST(Convolution, FloatConv3dMatchesATenWithAndWithoutGradients) {
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({1, 4, 5, 6, 7});
  const torch::Tensor w = torch::randn({3, 4, 3, 3, 3});
  const torch::Tensor expected = torch::conv3d(x, w, {}, 1, 1);
  {
    torch::NoGradGuard no_grad;
    expect_close(lrpseg::conv3d(x, w, {}, {1, 1, 1}, {1, 1, 1}), expected, 1e-5);
  }
  torch::Tensor xg = x.clone().requires_grad_();
  torch::Tensor y = lrpseg::conv3d(xg, w, {}, {1, 1, 1}, {1, 1, 1});
  expect_close(y.detach(), expected, 1e-5);
  y.sum().backward();
  EXPECT_TRUE(xg.grad().defined());
}

TEST(Convolution, FloatBatchSampleBySampleMatchesATen) {
  torch::manual_seed(4);
  const torch::Tensor x = torch::randn({3, 5, 4, 6, 5});
  const torch::Tensor w = torch::randn({4, 5, 3, 3, 3});
  const torch::Tensor b = torch::randn({4});
  torch::NoGradGuard no_grad;
  const torch::Tensor y = lrpseg::conv3d(x, w, b, {1, 1, 1}, {1, 1, 1});
  expect_close(y, torch::conv3d(x, w, b, 1, 1), 1e-5);
  // Each sample as it would be alone.
  for (int64_t i = 0; i < 3; ++i) {
    expect_close(y[i], lrpseg::conv3d(x.narrow(0, i, 1), w, b, {1, 1, 1}, {1, 1, 1})[0], 1e-6);
  }
}

// ⟨s, f(x)⟩ = ⟨f*(s), x⟩ in float64, for every geometry the adjoints handle.
TEST(Convolution, AdjointsSatisfyTheInnerProductIdentity) {
  torch::manual_seed(5);
  const std::vector<ConvCase> convolutions = {
      {{2, 3, 5, 7, 6}, {4, 3, 3, 3, 3}, {1, 1, 1}, {1, 1, 1}},  // 3x3x3 'same'
      {{1, 2, 5, 6, 4}, {3, 2, 3, 2, 3}, {1, 1, 1}, {0, 1, 2}},  // uneven kernel and padding
      {{2, 4, 3, 4, 5}, {2, 4, 1, 1, 1}, {1, 1, 1}, {0, 0, 0}},  // 1x1x1
      {{1, 3, 7, 5, 9}, {2, 3, 2, 2, 2}, {2, 2, 2}, {0, 0, 0}},  // strided, odd sizes: floor
      {{1, 2, 6, 5, 7}, {2, 2, 3, 3, 3}, {2, 2, 2}, {1, 1, 1}},  // strided with padding
  };
  for (const ConvCase& c : convolutions) {
    const torch::Tensor x = torch::randn(c.input, kDouble);
    const torch::Tensor w = torch::randn(c.weight, kDouble);
    const torch::Tensor y = lrpseg::conv3d(x, w, {}, c.stride, c.padding);
    const torch::Tensor s = torch::randn(y.sizes(), kDouble);
    const torch::Tensor a =
        conv3d_adjoint(s, w, c.stride, c.padding, {x.size(2), x.size(3), x.size(4)});
    ASSERT_EQ(a.sizes(), x.sizes());
    EXPECT_NEAR((s * y).sum().item<double>(), (a * x).sum().item<double>(),
                1e-10 * (s.abs() * y.abs()).sum().item<double>());
  }
  // The transposed convolution (weight: C_in, C_out, k…), kernel = stride and otherwise.
  const torch::Tensor x = torch::randn({2, 3, 3, 2, 4}, kDouble);
  for (const auto& [kernel, padding] :
       {std::pair<int64_t, Dims3>{2, {0, 0, 0}}, std::pair<int64_t, Dims3>{3, {1, 1, 1}}}) {
    const torch::Tensor w = torch::randn({3, 2, kernel, kernel, kernel}, kDouble);
    const torch::Tensor y = lrpseg::conv_transpose3d(x, w, {}, {2, 2, 2}, padding);
    const torch::Tensor s = torch::randn(y.sizes(), kDouble);
    const torch::Tensor a = conv_transpose3d_adjoint(s, w, {2, 2, 2}, padding);
    ASSERT_EQ(a.sizes(), x.sizes());
    EXPECT_NEAR((s * y).sum().item<double>(), (a * x).sum().item<double>(),
                1e-10 * (s.abs() * y.abs()).sum().item<double>());
  }
}

// Weights that ask for no gradient: the float32 backward is the adjoint, equal
// to ATen's float64 gradient; weights that do ask still get theirs.
TEST(Convolution, FrozenFloatWeightsBackpropagateTheAdjoint) {
  torch::manual_seed(6);
  struct Case {
    ConvCase conv;
    bool transposed;
  };
  const std::vector<Case> cases = {
      {{{2, 3, 5, 7, 6}, {4, 3, 3, 3, 3}, {1, 1, 1}, {1, 1, 1}}, false},
      {{{1, 3, 7, 5, 9}, {2, 3, 2, 2, 2}, {2, 2, 2}, {0, 0, 0}}, false},
      {{{2, 4, 3, 2, 3}, {4, 3, 2, 2, 2}, {2, 2, 2}, {0, 0, 0}}, true},
  };
  for (const Case& c : cases) {
    const torch::Tensor x0 = torch::randn(c.conv.input, kDouble);
    const torch::Tensor w0 = torch::randn(c.conv.weight, kDouble);
    const torch::Tensor b0 = torch::randn({c.conv.weight[c.transposed ? 1 : 0]}, kDouble);
    auto run = [&](torch::Dtype dtype, bool ours, bool weight_grad) {
      torch::Tensor x = x0.to(dtype).detach().requires_grad_();
      torch::Tensor w = w0.to(dtype).detach().requires_grad_(weight_grad);
      const torch::Tensor b = b0.to(dtype);
      torch::Tensor y;
      if (c.transposed) {
        y = ours ? lrpseg::conv_transpose3d(x, w, b, c.conv.stride, c.conv.padding)
                 : torch::conv_transpose3d(x, w, b, vec(c.conv.stride), vec(c.conv.padding));
      } else {
        y = ours ? lrpseg::conv3d(x, w, b, c.conv.stride, c.conv.padding)
                 : torch::conv3d(x, w, b, vec(c.conv.stride), vec(c.conv.padding));
      }
      const torch::Tensor g = torch::cos(torch::arange(y.numel(), kDouble)).view(y.sizes());
      (y * g.to(dtype)).sum().backward();
      return std::make_tuple(y.detach().to(torch::kDouble), x.grad().to(torch::kDouble),
                             weight_grad ? w.grad().to(torch::kDouble) : torch::Tensor());
    };
    SCOPED_TRACE(c.transposed ? "transposed" : c.conv.stride[0] == 1 ? "stride 1" : "strided");
    const auto [y64, x64, w64] = run(torch::kDouble, false, true);
    const auto [y, x_frozen, unused] = run(torch::kFloat, true, false);
    expect_close(y, y64, 1e-5, "output");
    expect_close(x_frozen, x64, 1e-5, "input gradient, frozen weights");
    const auto [y2, x_free, w_free] = run(torch::kFloat, true, true);
    expect_close(x_free, x64, 1e-5, "input gradient, free weights");
    expect_close(w_free, w64, 1e-5, "weight gradient");
  }
}

}  // namespace
}  // namespace lrpseg
