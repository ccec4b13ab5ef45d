#pragma once
// LRP rules as small values (Zennit's idea, STYLE.md): a convolution rule is a
// list of terms (which input, which part of the weight, which sign) plus a bias
// flag and a stabiliser, all applied by one generic routine that serves Conv3d
// and ConvTranspose3d alike. Relevance tensors carry a batch of K samples (one
// per filter setting); the saved forward tensors have batch 1 and broadcast, so
// Z is computed once per layer and only the adjoint runs on K.
#include <torch/torch.h>

#include <array>
#include <string>
#include <vector>

namespace lrpseg {

enum class WeightPart { All, Positive, Negative };  // W, W+ = max(0, W), W− = min(0, W)
enum class RuleInput { Activation, Low, High };     // X, or the z^B bounds L, H (constants)

struct RuleTerm {
  RuleInput input;
  WeightPart weight;
  double sign;  // +1 or −1
};

struct ConvRule {
  std::string name;
  std::vector<RuleTerm> terms;
  bool use_bias = false;
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
// its single activation term and a tag naming it ("W", "W+", "W-"); undefined
// weight when the rule has no single activation term.
torch::Tensor companion_weight(const ConvRule& rule, const torch::Tensor& weight);
const char* companion_tag(const ConvRule& rule);

// f(x; w) without bias, and its adjoint f*(s; w) with the shape of layer.input.
torch::Tensor layer_forward(const ConvLayer& layer, const torch::Tensor& x,
                            const torch::Tensor& weight);
torch::Tensor layer_adjoint(const ConvLayer& layer, const torch::Tensor& s,
                            const torch::Tensor& weight);

torch::Tensor weight_part(const torch::Tensor& weight, WeightPart part);

// Z of the rule (batch 1, before the stabiliser).
torch::Tensor rule_z(const ConvLayer& layer, const ConvRule& rule);

// relevance: (K, C_out, …) at the layer output → (K, C_in, …) at its input.
torch::Tensor conv_relevance(const ConvLayer& layer, const ConvRule& rule,
                             const torch::Tensor& relevance);
// The same, consuming `relevance` (it is divided in place), to save a K-sized buffer.
torch::Tensor conv_relevance_(const ConvLayer& layer, const ConvRule& rule,
                              torch::Tensor&& relevance);

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
