#pragma once
// LRP rules as small values (Zennit's idea, STYLE.md): a convolution rule is a
// list of groups; each group is a list of terms (which input part, which map of
// the weight, which sign) sharing one denominator, and the groups' relevance is
// added with a factor (LRP-αβ: α and −β) and, optionally, only where the layer's
// output has one sign (LRP-γ). One generic routine applies any rule to Conv3d
// and ConvTranspose3d alike. Relevance tensors carry a batch of K samples (one
// per filter setting); the saved forward tensors have batch 1 and broadcast, so
// Z is computed once per layer and only the adjoint runs on K. Named rules live
// in lrp/rule_catalog.h.
#include <torch/torch.h>

#include <array>
#include <string>
#include <vector>

namespace lrpseg {

// The input a term reads: X, X⁺ = max(0, X), X⁻ = min(0, X), or a constant
// (the z^B bounds L and H; 1 for the flat and w² rules).
enum class InputPart { Activation, Positive, Negative, Low, High, Ones };

// The weight a term uses: all·W + positive·W⁺ + negative·W⁻ (Linear), W², or 1.
struct WeightMap {
  enum class Kind { Linear, Square, Ones };
  Kind kind = Kind::Linear;
  double all = 1.0, positive = 0.0, negative = 0.0;

  static WeightMap plain() { return {}; }
  static WeightMap positive_part() { return {Kind::Linear, 0.0, 1.0, 0.0}; }
  static WeightMap negative_part() { return {Kind::Linear, 0.0, 0.0, 1.0}; }
  static WeightMap squared() { return {Kind::Square, 0.0, 0.0, 0.0}; }
  static WeightMap ones() { return {Kind::Ones, 0.0, 0.0, 0.0}; }
  torch::Tensor apply(const torch::Tensor& weight) const;
  std::string tag() const;  // "W", "W+", "W-", "W^2", "1" or "1W+0.25W+…"
};

struct RuleTerm {
  InputPart input;
  WeightMap weight;
  double sign = 1.0;
};

// Where a group acts, by the layer's own output: everywhere, where it is > 0, or
// where it is ≤ 0 (the two signed groups cover every voxel once).
enum class OutputSign { Any, Positive, Negative };

// Z = Σ_t sign_t·f(input_t; weight_t) (+ b) + stabiliser, R_in += factor·Σ_t
// sign_t·input_t ⊙ f*(mask ⊙ R / Z; weight_t), mask = where the layer's own
// output f(X; W) + b has sign `where`.
struct RuleGroup {
  std::vector<RuleTerm> terms;
  double factor = 1.0;
  OutputSign where = OutputSign::Any;
};

struct ConvRule {
  std::string name;
  std::vector<RuleGroup> groups;
  bool use_bias = false;  // add the layer's bias to Z (epsilon rule)
  double epsilon = 1e-9;
  bool signed_epsilon = false;   // Z + ε·sign(Z) (sign(0) = +1) instead of Z + ε
  double low = 0.0, high = 1.0;  // z^B input bounds

  // Paper eq. 1: Z = f(X; W+) + ε, R_in = X ⊙ f*(R/Z; W+).
  static ConvRule z_plus(double epsilon);
  // Paper Table Annex 2 "Relprop" with the layer's own W and b, Z + ε·sign(Z).
  static ConvRule epsilon_rule(double epsilon);
  // z^B: Z = f(X;W) − f(L;W+) − f(H;W−) + ε,
  // R_in = X⊙f*(S;W) − L⊙f*(S;W+) − H⊙f*(S;W−). The reference code used W+ in two
  // of the three terms; this is the published rule.
  static ConvRule z_box(double low, double high, double epsilon);
};

// Near-zero denominators of one rule application: |Z| ≤ 1e-6·max|Z| (before the
// stabiliser), counted where a group applies.
struct DenominatorHealth {
  int64_t near_zero = 0;
  int64_t total = 0;
  double fraction() const { return total > 0 ? static_cast<double>(near_zero) / total : 0.0; }
};

// What the generic routine needs of a Conv3d or ConvTranspose3d application.
struct ConvLayer {
  bool transposed = false;
  torch::Tensor input;   // X, (1, C_in, D, H, W)
  torch::Tensor weight;  // (C_out, C_in, k…) for a conv, (C_in, C_out, k…) transposed
  torch::Tensor bias;    // may be undefined
  std::array<int64_t, 3> stride{1, 1, 1};
  std::array<int64_t, 3> padding{0, 0, 0};
  // Optional f(X; W_t) of the rule's activation term (bias-free), when the
  // forward already computed it (TraceStep::companion).
  torch::Tensor activation_z;
};

// What the forward should compute alongside itself for `rule`: the weight of
// its single activation term and a tag naming it ("W", "W+", …); undefined
// weight when the rule has no single activation term on X itself.
torch::Tensor companion_weight(const ConvRule& rule, const torch::Tensor& weight);
std::string companion_tag(const ConvRule& rule);

// f(x; w) without bias, and its adjoint f*(s; w) with the shape of layer.input.
torch::Tensor layer_forward(const ConvLayer& layer, const torch::Tensor& x,
                            const torch::Tensor& weight);
torch::Tensor layer_adjoint(const ConvLayer& layer, const torch::Tensor& s,
                            const torch::Tensor& weight);

// relevance: (K, C_out, …) at the layer output → (K, C_in, …) at its input.
// `health`, when given, receives the near-zero denominator counts.
torch::Tensor conv_relevance(const ConvLayer& layer, const ConvRule& rule,
                             const torch::Tensor& relevance, DenominatorHealth* health = nullptr);
// The same, consuming `relevance` (divided in place for one-group rules), to
// save a K-sized buffer.
torch::Tensor conv_relevance_(const ConvLayer& layer, const ConvRule& rule,
                              torch::Tensor&& relevance, DenominatorHealth* health = nullptr);

// Winner takes all: Z = maxpool(X) + ε, R_in = X ⊙ unpool(R/Z) at the recorded
// argmax positions (flat indices per channel, as max_pool3d_with_indices gives).
torch::Tensor winner_takes_all_relevance(const torch::Tensor& input, const torch::Tensor& pooled,
                                         const torch::Tensor& indices,
                                         const torch::Tensor& relevance, double epsilon);

// The relevance of a crop is zero-padded back to the uncropped size.
torch::Tensor crop_relevance(const torch::Tensor& relevance, std::array<int64_t, 3> from_dhw,
                             std::array<int64_t, 3> offset_dhw);

// Cleaves the relevance of a concatenation by channels in forward order (skip
// first, then upsampled; the reference code sliced in the wrong order).
std::vector<torch::Tensor> cleave_relevance(const torch::Tensor& relevance,
                                            const std::vector<int64_t>& split_channels);

}  // namespace lrpseg
