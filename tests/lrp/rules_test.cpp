// Each rule against a slow dense implementation: the layer is written out as a
// matrix M (M_ji = ∂y_j/∂x_i, built by applying the layer to unit vectors), and
// eq. 1 / the epsilon formula / the z^B formula are evaluated by hand on it.
#include "lrp/rules.h"

#include <gtest/gtest.h>

#include "error_of.h"
#include "lrp/rule_catalog.h"
#include "util/error.h"

namespace lrpseg {
namespace {

const auto kDouble = torch::TensorOptions().dtype(torch::kDouble);

// M (m × n) of the bias-free layer, from torch's own conv on the n unit vectors.
torch::Tensor dense_matrix(const ConvLayer& layer) {
  const int64_t n = layer.input.numel();
  std::vector<int64_t> shape = layer.input.sizes().vec();
  shape[0] = n;
  torch::Tensor eye = torch::eye(n, kDouble).view(shape);
  std::vector<int64_t> stride(layer.stride.begin(), layer.stride.end());
  std::vector<int64_t> padding(layer.padding.begin(), layer.padding.end());
  torch::Tensor out = layer.transposed
                          ? torch::conv_transpose3d(eye, layer.weight, {}, stride, padding)
                          : torch::conv3d(eye, layer.weight, {}, stride, padding);
  return out.reshape({n, -1}).t().contiguous();
}

// Output size of the layer, for building bias vectors and relevance.
std::vector<int64_t> output_shape(const ConvLayer& layer, int64_t k) {
  torch::Tensor y = layer_forward(layer, layer.input, layer.weight);
  std::vector<int64_t> shape = y.sizes().vec();
  shape[0] = k;
  return shape;
}

ConvLayer conv3d_padded() {
  ConvLayer layer;
  layer.input = torch::rand({1, 2, 3, 4, 3}, kDouble);
  layer.weight = torch::randn({3, 2, 3, 3, 3}, kDouble);
  layer.bias = torch::randn({3}, kDouble);
  layer.padding = {1, 1, 1};
  return layer;
}

ConvLayer conv3d_strided() {
  ConvLayer layer = conv3d_padded();
  layer.input = torch::rand({1, 2, 3, 5, 4}, kDouble);  // odd sizes: output_padding matters
  layer.stride = {2, 2, 2};
  return layer;
}

ConvLayer conv_transpose_stride2() {
  ConvLayer layer;
  layer.transposed = true;
  layer.input = torch::rand({1, 3, 2, 3, 2}, kDouble) - 0.3;  // LeakyReLU outputs can be < 0
  layer.weight = torch::randn({3, 2, 2, 2, 2}, kDouble);
  layer.stride = {2, 2, 2};
  return layer;
}

// R_in_i = Σ_j Σ_t sign_t a_t,i (M_t)_ji R_j / z_j, the hand-written rule.
torch::Tensor dense_relevance(const std::vector<torch::Tensor>& mats,
                              const std::vector<torch::Tensor>& inputs,
                              const std::vector<double>& signs, const torch::Tensor& z,
                              const torch::Tensor& r) {
  torch::Tensor out = torch::zeros_like(inputs[0]);
  torch::Tensor s = r / z;
  for (size_t t = 0; t < mats.size(); ++t) {
    out += signs[t] * inputs[t] * mats[t].t().matmul(s);
  }
  return out;
}

void expect_close(const torch::Tensor& actual, const torch::Tensor& expected) {
  ASSERT_EQ(actual.sizes(), expected.sizes());
  const double scale = expected.abs().max().item<double>() + 1e-12;
  EXPECT_LT((actual - expected).abs().max().item<double>() / scale, 1e-10);
}

// Runs the rule on K = 2 relevance samples and compares each with `reference`.
template <class Reference>
void check_rule(const ConvLayer& layer, const ConvRule& rule, Reference reference) {
  torch::manual_seed(1);
  torch::Tensor r = torch::randn(output_shape(layer, 2), kDouble);
  torch::Tensor got = conv_relevance(layer, rule, r);
  ASSERT_EQ(got.size(0), 2);
  const torch::Tensor m = dense_matrix(layer);
  const torch::Tensor x = layer.input.reshape({-1});
  for (int64_t k = 0; k < 2; ++k) {
    torch::Tensor expected = reference(m, x, r[k].reshape({-1}));
    expect_close(got[k].reshape({-1}), expected);
  }
}

void check_z_plus(const ConvLayer& layer) {
  const double eps = 1e-9;
  check_rule(layer, ConvRule::z_plus(eps), [&](auto m, auto x, auto r) {
    torch::Tensor mp = m.clamp_min(0);
    return dense_relevance({mp}, {x}, {1.0}, mp.matmul(x) + eps, r);
  });
}

void check_epsilon(ConvLayer layer) {
  const double eps = 0.5;  // large, so a wrong sign of the stabiliser shows
  check_rule(layer, ConvRule::epsilon_rule(eps), [&](auto m, auto x, auto r) {
    // The bias of output channel c, repeated over that channel's voxels.
    torch::Tensor b = torch::zeros({m.size(0)}, kDouble);
    if (layer.bias.defined()) {
      const int64_t c = layer.bias.size(0);
      b = layer.bias.view({c, 1}).expand({c, m.size(0) / c}).reshape({-1});
    }
    torch::Tensor z = m.matmul(x) + b;
    z = torch::where(z >= 0, z + eps, z - eps);
    return dense_relevance({m}, {x}, {1.0}, z, r);
  });
}

void check_z_box(const ConvLayer& layer, double low, double high) {
  const double eps = 1e-9;
  check_rule(layer, ConvRule::z_box(low, high, eps), [&](auto m, auto x, auto r) {
    torch::Tensor mp = m.clamp_min(0), mn = m.clamp_max(0);
    torch::Tensor l = torch::full_like(x, low), h = torch::full_like(x, high);
    torch::Tensor z = m.matmul(x) - mp.matmul(l) - mn.matmul(h) + eps;
    return dense_relevance({m, mp, mn}, {x, l, h}, {1.0, -1.0, -1.0}, z, r);
  });
}

TEST(ConvRules, ZPlusConv3dWithPaddingMatchesDenseMatrix) {
  torch::manual_seed(0);
  check_z_plus(conv3d_padded());
}

TEST(ConvRules, ZPlusConv3dWithMoreInputsThanOutputsMatchesDenseMatrix) {
  // More input than output channels; the float run goes through oneDNN directly.
  torch::manual_seed(0);
  ConvLayer layer = conv3d_padded();
  layer.input = torch::rand({1, 5, 3, 4, 3}, kDouble);
  layer.weight = torch::randn({2, 5, 3, 3, 3}, kDouble);
  layer.bias = torch::Tensor();
  check_z_plus(layer);
  layer.input = layer.input.to(torch::kFloat);  // and in float, where oneDNN runs
  layer.weight = layer.weight.to(torch::kFloat);
  torch::Tensor r = torch::rand(output_shape(layer, 2));
  torch::Tensor got = conv_relevance(layer, ConvRule::z_plus(1e-9), r);
  layer.input = layer.input.to(torch::kDouble);
  layer.weight = layer.weight.to(torch::kDouble);
  torch::Tensor expected = conv_relevance(layer, ConvRule::z_plus(1e-9), r.to(torch::kDouble));
  EXPECT_TRUE(torch::allclose(got.to(torch::kDouble), expected, 1e-4, 1e-5));
}

TEST(ConvRules, ZPlusStridedConv3dOnOddSizesMatchesDenseMatrix) {
  torch::manual_seed(0);
  check_z_plus(conv3d_strided());
}

TEST(ConvRules, ZPlusConvTranspose3dStride2MatchesDenseMatrix) {
  torch::manual_seed(0);
  check_z_plus(conv_transpose_stride2());
}

TEST(ConvRules, EpsilonConv3dWithPaddingMatchesDenseMatrix) {
  torch::manual_seed(0);
  ConvLayer layer = conv3d_padded();
  layer.input -= 0.5;  // mixed signs so that Z takes both signs
  check_epsilon(layer);
}

TEST(ConvRules, EpsilonConvTranspose3dStride2MatchesDenseMatrix) {
  torch::manual_seed(0);
  ConvLayer layer = conv_transpose_stride2();
  layer.bias = torch::randn({2}, kDouble);
  check_epsilon(layer);
}

TEST(ConvRules, ZBoxConv3dWithPaddingMatchesDenseMatrix) {
  torch::manual_seed(0);
  check_z_box(conv3d_padded(), 0.0, 1.0);    // the paper's bounds
  check_z_box(conv3d_padded(), -0.25, 1.5);  // all three terms non-zero
}

TEST(ConvRules, ZBoxConservesRelevanceUpToEpsilon) {
  torch::manual_seed(0);
  ConvLayer layer = conv3d_padded();
  torch::Tensor r = torch::rand(output_shape(layer, 1), kDouble);
  torch::Tensor got = conv_relevance(layer, ConvRule::z_box(0.0, 1.0, 1e-9), r);
  EXPECT_NEAR(got.sum().item<double>(), r.sum().item<double>(), 1e-6);
}

TEST(ConvRules, AdjointSatisfiesInnerProductIdentity) {
  torch::manual_seed(0);
  for (const ConvLayer& layer : {conv3d_padded(), conv3d_strided(), conv_transpose_stride2()}) {
    torch::Tensor x = torch::randn_like(layer.input);
    torch::Tensor s = torch::randn(output_shape(layer, 1), kDouble);
    const double lhs = (layer_forward(layer, x, layer.weight) * s).sum().item<double>();
    const double rhs = (x * layer_adjoint(layer, s, layer.weight)).sum().item<double>();
    EXPECT_NEAR(lhs, rhs, 1e-9 * (std::abs(lhs) + 1));
  }
}

TEST(PoolRule, WinnerTakesAllWithCeilModeMatchesLoops) {
  torch::manual_seed(0);
  const double eps = 1e-9;
  torch::Tensor x = torch::rand({1, 2, 3, 5, 3}, kDouble) - 0.2;
  auto [pooled, indices] = torch::max_pool3d_with_indices(x, {2, 2, 2}, {2, 2, 2}, 0, 1, true);
  ASSERT_EQ(pooled.sizes(), (std::vector<int64_t>{1, 2, 2, 3, 2}));
  torch::Tensor r = torch::randn({2, 2, 2, 3, 2}, kDouble);
  torch::Tensor got = winner_takes_all_relevance(x, pooled, indices, r, eps);

  torch::Tensor expected = torch::zeros({2, 2, 3, 5, 3}, kDouble);
  auto xa = x.accessor<double, 5>();
  for (int64_t k = 0; k < 2; ++k) {
    for (int64_t c = 0; c < 2; ++c) {
      for (int64_t d = 0; d < 2; ++d) {
        for (int64_t h = 0; h < 3; ++h) {
          for (int64_t w = 0; w < 2; ++w) {
            // The window, cut at the far edges (ceil_mode).
            int64_t bd = 0, bh = 0, bw = 0;
            double best = -1e300;
            for (int64_t i = 2 * d; i < std::min<int64_t>(2 * d + 2, 3); ++i) {
              for (int64_t j = 2 * h; j < std::min<int64_t>(2 * h + 2, 5); ++j) {
                for (int64_t l = 2 * w; l < std::min<int64_t>(2 * w + 2, 3); ++l) {
                  if (xa[0][c][i][j][l] > best) {
                    best = xa[0][c][i][j][l];
                    bd = i, bh = j, bw = l;
                  }
                }
              }
            }
            const double rv = r[k][c][d][h][w].item<double>();
            expected[k][c][bd][bh][bw] = best * rv / (best + eps);
          }
        }
      }
    }
  }
  expect_close(got, expected);
}

TEST(CropRule, RelevanceIsZeroPaddedBackAtTheRecordedOffset) {
  torch::manual_seed(0);
  torch::Tensor r = torch::randn({2, 3, 3, 4, 5}, kDouble);
  torch::Tensor got = crop_relevance(r, {4, 6, 5}, {0, 1, 0});
  ASSERT_EQ(got.sizes(), (std::vector<int64_t>{2, 3, 4, 6, 5}));
  for (int64_t d = 0; d < 4; ++d) {
    for (int64_t h = 0; h < 6; ++h) {
      const bool inside = d < 3 && h >= 1 && h < 5;
      torch::Tensor expected =
          inside ? r.select(2, d).select(2, h - 1) : torch::zeros({2, 3, 5}, kDouble);
      EXPECT_TRUE(torch::equal(got.select(2, d).select(2, h), expected)) << d << "," << h;
    }
  }
}

TEST(ConcatRule, CleavesSkipChannelsFirst) {
  torch::Tensor r = torch::arange(5, kDouble).view({1, 5, 1, 1, 1}).repeat({2, 1, 1, 1, 1});
  auto pieces = cleave_relevance(r, {2, 3});
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].size(1), 2);
  EXPECT_EQ(pieces[0][1][1].item<double>(), 1.0);
  EXPECT_EQ(pieces[1][1][0].item<double>(), 2.0);
}

}  // namespace
}  // namespace lrpseg

namespace lrpseg {
namespace {

// The generic rule by hand: R_in = Σ_g factor_g Σ_t sign_t a_t ⊙ M_tᵀ(mask_g ⊙ r / z_g),
// z_g = Σ_t sign_t M_t a_t + ε·sign(z_g); masks from the layer's output M x + b.
struct DenseTerm {
  torch::Tensor matrix, input;
  double sign = 1.0;
};
struct DenseGroup {
  std::vector<DenseTerm> terms;
  double factor = 1.0;
  int where = 0;  // 0 all, +1 output > 0, −1 output ≤ 0
};

torch::Tensor dense_groups(const std::vector<DenseGroup>& groups, const torch::Tensor& output,
                           const torch::Tensor& r, double eps) {
  torch::Tensor out;
  for (const DenseGroup& g : groups) {
    torch::Tensor z = torch::zeros_like(r);
    for (const DenseTerm& t : g.terms) z += t.sign * t.matrix.matmul(t.input);
    z = torch::where(z >= 0, z + eps, z - eps);
    torch::Tensor mask = torch::ones_like(r);
    if (g.where > 0) mask = (output > 0).to(torch::kDouble);
    if (g.where < 0) mask = (output <= 0).to(torch::kDouble);
    const torch::Tensor s = mask * r / z;
    for (const DenseTerm& t : g.terms) {
      torch::Tensor part = g.factor * t.sign * t.input * t.matrix.t().matmul(s);
      out = out.defined() ? out + part : part;
    }
  }
  return out;
}

// Output of the layer with its bias, flattened like the dense matrix rows.
torch::Tensor dense_output(const ConvLayer& layer, const torch::Tensor& m, const torch::Tensor& x) {
  torch::Tensor b = torch::zeros({m.size(0)}, kDouble);
  if (layer.bias.defined()) {
    const int64_t c = layer.bias.size(0);
    b = layer.bias.view({c, 1}).expand({c, m.size(0) / c}).reshape({-1});
  }
  return m.matmul(x) + b;
}

RuleParameters parameters() {
  RuleParameters p;
  p.epsilon = 1e-9;
  p.gamma = 0.25;
  return p;
}

// Every layer shape of the existing dense tests, inputs of both signs.
std::vector<ConvLayer> mixed_sign_layers() {
  std::vector<ConvLayer> layers = {conv3d_padded(), conv3d_strided(), conv_transpose_stride2()};
  for (ConvLayer& l : layers) l.input = l.input - 0.4;
  layers[2].bias = torch::randn({2}, kDouble);
  return layers;
}

TEST(RuleCatalog, StableZPlusMatchesDenseMatrix) {
  torch::manual_seed(0);
  for (const ConvLayer& layer : mixed_sign_layers()) {
    check_rule(layer, make_rule("z+stable", parameters(), "--rule"), [&](auto m, auto x, auto r) {
      return dense_groups({{{{m.clamp_min(0), x.clamp_min(0)}, {m.clamp_max(0), x.clamp_max(0)}}}},
                          {}, r, 1e-9);
    });
  }
}

TEST(RuleCatalog, GammaMatchesDenseMatrixWithOutputSignGroups) {
  torch::manual_seed(0);
  const double g = 0.25;
  for (const ConvLayer& layer : mixed_sign_layers()) {
    check_rule(layer, make_rule("gamma", parameters(), "--rule"), [&](auto m, auto x, auto r) {
      const torch::Tensor up = m + g * m.clamp_min(0), down = m + g * m.clamp_max(0);
      const torch::Tensor xp = x.clamp_min(0), xn = x.clamp_max(0);
      return dense_groups({{{{up, xp}, {down, xn}}, 1.0, +1}, {{{down, xp}, {up, xn}}, 1.0, -1}},
                          dense_output(layer, m, x), r, 1e-9);
    });
  }
}

TEST(RuleCatalog, AlphaBetaMatchesDenseMatrix) {
  torch::manual_seed(0);
  RuleParameters p = parameters();
  p.alpha = 3.0;
  p.beta = 2.0;
  for (const ConvLayer& layer : mixed_sign_layers()) {
    check_rule(layer, make_rule("alpha-beta", p, "--rule"), [&](auto m, auto x, auto r) {
      const torch::Tensor mp = m.clamp_min(0), mn = m.clamp_max(0);
      const torch::Tensor xp = x.clamp_min(0), xn = x.clamp_max(0);
      return dense_groups({{{{mp, xp}, {mn, xn}}, 3.0}, {{{mn, xp}, {mp, xn}}, -2.0}}, {}, r, 1e-9);
    });
  }
}

TEST(RuleCatalog, FlatAndWSquareMatchDenseMatrix) {
  torch::manual_seed(0);
  for (const ConvLayer& layer : mixed_sign_layers()) {
    check_rule(layer, make_rule("flat", parameters(), "--first-rule"), [&](auto m, auto x, auto r) {
      return dense_groups({{{{(m != 0).to(torch::kDouble), torch::ones_like(x)}}}}, {}, r, 1e-9);
    });
    check_rule(layer, make_rule("w2", parameters(), "--first-rule"), [&](auto m, auto x, auto r) {
      return dense_groups({{{{m * m, torch::ones_like(x)}}}}, {}, r, 1e-9);
    });
  }
}

TEST(RuleCatalog, BiasFreeRulesConserveRelevance) {
  torch::manual_seed(0);
  for (const char* name : {"z+stable", "gamma", "alpha-beta", "flat", "w2"}) {
    ConvLayer layer = mixed_sign_layers()[0];
    torch::Tensor r = torch::randn(output_shape(layer, 1), kDouble);
    torch::Tensor got = conv_relevance(layer, make_rule(name, parameters(), "--rule"), r);
    EXPECT_NEAR(got.sum().item<double>(), r.sum().item<double>(), 1e-6) << name;
  }
}

TEST(RuleCatalog, GammaKeepsTheRelevanceOfAnOutputThatCancelsToZero) {
  // Output 1·1 + 1·(−1) = 0 exactly: it belongs to the "not positive" group,
  // whose Z = 1 − (1 + γ) = −γ ≠ 0, so its relevance reaches the inputs.
  ConvLayer layer;
  layer.input = torch::ones({1, 2, 1, 1, 1}, kDouble);
  layer.weight = torch::tensor({1.0, -1.0}, kDouble).view({1, 2, 1, 1, 1});
  const torch::Tensor r = torch::ones({1, 1, 1, 1, 1}, kDouble);
  const torch::Tensor got = conv_relevance(layer, make_rule("gamma", parameters(), "--rule"), r);
  const double g = parameters().gamma;
  const torch::Tensor expected =
      torch::tensor({1.0 / -g, -(1.0 + g) / -g}, kDouble).view({1, 2, 1, 1, 1});
  EXPECT_TRUE(torch::allclose(got, expected, 1e-6, 1e-9));
  EXPECT_NEAR(got.sum().item<double>(), 1.0, 1e-6);
}

TEST(RuleCatalog, BadNamesAndParametersNameTheOption) {
  EXPECT_NE(test::error_of([] { make_rule("lrp-magic", parameters(), "--rule"); }).find("--rule"),
            std::string::npos);
  RuleParameters p = parameters();
  p.gamma = -0.1;
  EXPECT_NE(test::error_of([&] { make_rule("gamma", p, "--rule"); }).find("--gamma"),
            std::string::npos);
  p = parameters();
  p.alpha = 2.0;
  p.beta = 2.0;
  EXPECT_NE(test::error_of([&] { make_rule("alpha-beta", p, "--rule"); }).find("--alpha"),
            std::string::npos);
}

TEST(RuleCatalog, NearZeroDenominatorsAreCounted) {
  // Inputs of both signs with all-positive weights: z+ on X = (x, −x) cancels exactly.
  ConvLayer layer;
  layer.input = torch::cat(
      {torch::ones({1, 1, 2, 2, 2}, kDouble), -torch::ones({1, 1, 2, 2, 2}, kDouble)}, 1);
  layer.weight = torch::ones({1, 2, 1, 1, 1}, kDouble);
  layer.input[0][0][0][0][0] = 2.0;  // one voxel does not cancel
  DenominatorHealth health;
  conv_relevance(layer, ConvRule::z_plus(1e-9), torch::ones({1, 1, 2, 2, 2}, kDouble), &health);
  EXPECT_EQ(health.total, 8);
  EXPECT_EQ(health.near_zero, 7);
  // The stable form does not cancel.
  DenominatorHealth stable;
  conv_relevance(layer, make_rule("z+stable", parameters(), "--rule"),
                 torch::ones({1, 1, 2, 2, 2}, kDouble), &stable);
  EXPECT_EQ(stable.near_zero, 0);
}

}  // namespace
}  // namespace lrpseg
