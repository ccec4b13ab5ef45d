#include "lrp/rules.h"

#include "util/error.h"

namespace lrpseg {

namespace {

std::vector<int64_t> vec(const std::array<int64_t, 3>& a) { return {a[0], a[1], a[2]}; }

bool all_ones(const std::array<int64_t, 3>& a) { return a[0] == 1 && a[1] == 1 && a[2] == 1; }

// Z + ε, or Z + ε·sign(Z) with sign(0) = +1 (so Z = 0 never divides by zero); in place.
void stabilise_(torch::Tensor& z, const ConvRule& rule) {
  if (!rule.signed_epsilon) {
    z.add_(rule.epsilon);
  } else {
    z.add_(torch::where(z >= 0, rule.epsilon, -rule.epsilon));
  }
}

// The index of the rule's only activation term, or −1.
int single_activation_term(const ConvRule& rule) {
  int found = -1;
  for (size_t t = 0; t < rule.terms.size(); ++t) {
    if (rule.terms[t].input != RuleInput::Activation) continue;
    if (found >= 0) return -1;
    found = static_cast<int>(t);
  }
  return found;
}

// The term's input at the layer: X itself, or a constant bound; undefined when
// the bound is zero (its term contributes nothing).
double bound_of(const ConvRule& rule, RuleInput input) {
  return input == RuleInput::Low ? rule.low : rule.high;
}

// conv3d without bias. LibTorch 1.13 sends a batch-1 float conv3d with
// N·C·D·H ≤ 20480 (b1.conv1, b2–b4, b5.conv2, every K = 1 adjoint at those
// levels) to its native im2col kernel, which measured 3–8× slower here than
// oneDNN on the same shapes; call oneDNN directly where it is available.
torch::Tensor convolve(const torch::Tensor& x, const torch::Tensor& weight,
                       std::vector<int64_t> stride, std::vector<int64_t> padding) {
  if (x.device().is_cpu() && x.scalar_type() == torch::kFloat && at::hasMKLDNN() &&
      at::globalContext().userEnabledMkldnn()) {
    return at::mkldnn_convolution(x.contiguous(), weight.contiguous(), {}, padding, stride,
                                  {1, 1, 1}, 1);
  }
  return torch::conv3d(x, weight, {}, stride, padding);
}

}  // namespace

ConvRule ConvRule::z_plus(double epsilon) {
  ConvRule r;
  r.name = "z+";
  r.terms = {{RuleInput::Activation, WeightPart::Positive, 1.0}};
  r.epsilon = epsilon;
  return r;
}

ConvRule ConvRule::epsilon_rule(double epsilon) {
  ConvRule r;
  r.name = "epsilon";
  r.terms = {{RuleInput::Activation, WeightPart::All, 1.0}};
  r.use_bias = true;
  r.epsilon = epsilon;
  r.signed_epsilon = true;
  return r;
}

ConvRule ConvRule::z_box(double low, double high, double epsilon) {
  ConvRule r;
  r.name = "zB";
  r.terms = {{RuleInput::Activation, WeightPart::All, 1.0},
             {RuleInput::Low, WeightPart::Positive, -1.0},
             {RuleInput::High, WeightPart::Negative, -1.0}};
  r.epsilon = epsilon;
  r.low = low;
  r.high = high;
  return r;
}

torch::Tensor weight_part(const torch::Tensor& weight, WeightPart part) {
  switch (part) {
    case WeightPart::All:
      return weight;
    case WeightPart::Positive:
      return weight.clamp_min(0.0);
    case WeightPart::Negative:
      return weight.clamp_max(0.0);
  }
  return weight;
}

torch::Tensor layer_forward(const ConvLayer& layer, const torch::Tensor& x,
                            const torch::Tensor& weight) {
  if (layer.transposed) {
    return torch::conv_transpose3d(x, weight, {}, vec(layer.stride), vec(layer.padding));
  }
  return convolve(x, weight, vec(layer.stride), vec(layer.padding));
}

torch::Tensor layer_adjoint(const ConvLayer& layer, const torch::Tensor& s,
                            const torch::Tensor& weight) {
  // The adjoint of a transposed convolution is the convolution with the same weight.
  if (layer.transposed) return convolve(s, weight, vec(layer.stride), vec(layer.padding));

  std::array<int64_t, 3> kernel{weight.size(2), weight.size(3), weight.size(4)};
  bool flip_ok = all_ones(layer.stride);
  for (int d = 0; d < 3; ++d) flip_ok = flip_ok && layer.padding[d] <= kernel[d] - 1;
  if (flip_ok) {
    // Stride 1: conv_transpose3d(s, W, pad p) = conv3d(s, flip(W)ᵀ, pad k−1−p), and
    // the plain convolution is 1–6× faster on CPU (oneDNN) than the transposed one.
    std::vector<int64_t> pad(3);
    for (int d = 0; d < 3; ++d) pad[d] = kernel[d] - 1 - layer.padding[d];
    torch::Tensor flipped = weight.flip({2, 3, 4}).transpose(0, 1).contiguous();
    return convolve(s, flipped, {1, 1, 1}, pad);
  }
  // Strided: output_padding restores the input size that the forward floor() lost.
  std::vector<int64_t> output_padding(3);
  for (int d = 0; d < 3; ++d) {
    const int64_t in = layer.input.size(2 + d), out = s.size(2 + d);
    output_padding[d] = in - ((out - 1) * layer.stride[d] - 2 * layer.padding[d] + kernel[d]);
  }
  return torch::conv_transpose3d(s, weight, {}, vec(layer.stride), vec(layer.padding),
                                 output_padding);
}

torch::Tensor companion_weight(const ConvRule& rule, const torch::Tensor& weight) {
  const int t = single_activation_term(rule);
  if (t < 0) return {};
  return weight_part(weight, rule.terms[t].weight).contiguous();
}

const char* companion_tag(const ConvRule& rule) {
  const int t = single_activation_term(rule);
  if (t < 0) return "";
  switch (rule.terms[t].weight) {
    case WeightPart::All:
      return "W";
    case WeightPart::Positive:
      return "W+";
    case WeightPart::Negative:
      return "W-";
  }
  return "";
}

torch::Tensor rule_z(const ConvLayer& layer, const ConvRule& rule) {
  torch::Tensor z;
  const int precomputed = layer.activation_z.defined() ? single_activation_term(rule) : -1;
  for (size_t t = 0; t < rule.terms.size(); ++t) {
    const RuleTerm& term = rule.terms[t];
    torch::Tensor zt;
    if (static_cast<int>(t) == precomputed) {
      zt = layer.activation_z.clone();  // the trace's copy stays intact
    } else {
      const torch::Tensor w = weight_part(layer.weight, term.weight);
      if (term.input == RuleInput::Activation) {
        zt = layer_forward(layer, layer.input, w);
      } else {
        // f(c·1; W) = c·f(1; Σ_in W): a constant input needs one channel, not C_in.
        const double bound = bound_of(rule, term.input);
        if (bound == 0.0) continue;
        std::vector<int64_t> shape = layer.input.sizes().vec();
        shape[1] = 1;
        const int64_t in_dim = layer.transposed ? 0 : 1;
        zt = layer_forward(layer, torch::ones(shape, layer.input.options()),
                           w.sum(in_dim, /*keepdim=*/true))
                 .mul_(bound);
      }
    }
    if (!z.defined()) {
      z = term.sign == 1.0 ? zt : zt.mul_(term.sign);
    } else {
      z.add_(zt, term.sign);
    }
  }
  if (rule.use_bias && layer.bias.defined()) {
    z.add_(layer.bias.view({1, -1, 1, 1, 1}));
  }
  return z;
}

torch::Tensor conv_relevance(const ConvLayer& layer, const ConvRule& rule,
                             const torch::Tensor& relevance) {
  return conv_relevance_(layer, rule, relevance.clone());
}

torch::Tensor conv_relevance_(const ConvLayer& layer, const ConvRule& rule,
                              torch::Tensor&& relevance) {
  torch::Tensor z = rule_z(layer, rule);
  stabilise_(z, rule);
  // S = R / Z in R's own storage: no K-sized temporary, and R is dead afterwards.
  torch::Tensor s = std::move(relevance);
  s.div_(z);
  z = torch::Tensor();
  // All terms' adjoints in one call: their weights side by side as the input
  // channels of one wider layer (z^B: 2·C_in channels instead of two calls).
  std::vector<const RuleTerm*> terms;
  std::vector<torch::Tensor> weights;
  for (const RuleTerm& term : rule.terms) {
    if (term.input != RuleInput::Activation && bound_of(rule, term.input) == 0.0) continue;
    terms.push_back(&term);
    weights.push_back(weight_part(layer.weight, term.weight));
  }
  const int64_t in_dim = layer.transposed ? 0 : 1;
  const int64_t c_in = layer.weight.size(in_dim);
  const torch::Tensor adjoint = weights.size() == 1
                                    ? layer_adjoint(layer, s, weights[0])
                                    : layer_adjoint(layer, s, torch::cat(weights, in_dim));
  s = torch::Tensor();
  torch::Tensor result;
  for (size_t t = 0; t < terms.size(); ++t) {
    const RuleTerm& term = *terms[t];
    torch::Tensor c = terms.size() == 1 ? adjoint : adjoint.narrow(1, t * c_in, c_in);
    if (term.input == RuleInput::Activation) {
      c = terms.size() == 1 ? c.mul_(layer.input) : c * layer.input;
      if (term.sign != 1.0) c.mul_(term.sign);
    } else {
      c = c * (term.sign * bound_of(rule, term.input));
    }
    if (!result.defined()) {
      result = c;
    } else {
      result.add_(c);
    }
  }
  return result;
}

torch::Tensor winner_takes_all_relevance(const torch::Tensor& input, const torch::Tensor& pooled,
                                         const torch::Tensor& indices,
                                         const torch::Tensor& relevance, double epsilon) {
  const int64_t k = relevance.size(0), c = input.size(1);
  const torch::Tensor s = relevance / (pooled + epsilon);
  // Windows of a kernel-2 stride-2 pool do not overlap (ceil_mode only adds partial
  // windows at the far edges), so each input voxel receives at most one message;
  // scatter_add keeps that correct even if a future pool overlapped.
  torch::Tensor flat = torch::zeros({k, c, input[0][0].numel()}, relevance.options());
  flat.scatter_add_(2, indices.reshape({1, c, -1}).expand({k, c, indices[0][0].numel()}),
                    s.reshape({k, c, -1}));
  std::vector<int64_t> shape = input.sizes().vec();
  shape[0] = k;
  return flat.view(shape).mul_(input);
}

torch::Tensor crop_relevance(const torch::Tensor& relevance, std::array<int64_t, 3> from_dhw,
                             std::array<int64_t, 3> offset_dhw) {
  bool same = true;
  for (int d = 0; d < 3; ++d) same = same && from_dhw[d] == relevance.size(2 + d);
  if (same) return relevance;
  torch::Tensor out =
      torch::zeros({relevance.size(0), relevance.size(1), from_dhw[0], from_dhw[1], from_dhw[2]},
                   relevance.options());
  torch::Tensor window = out;
  for (int d = 0; d < 3; ++d) window = window.narrow(2 + d, offset_dhw[d], relevance.size(2 + d));
  window.copy_(relevance);
  return out;
}

std::vector<torch::Tensor> cleave_relevance(const torch::Tensor& relevance,
                                            const std::vector<int64_t>& split_channels) {
  int64_t total = 0;
  for (int64_t n : split_channels) total += n;
  if (total != relevance.size(1)) {
    throw Error("lrp: concat relevance has " + std::to_string(relevance.size(1)) +
                " channels, the recorded pieces " + std::to_string(total));
  }
  std::vector<torch::Tensor> pieces;
  int64_t start = 0;
  for (int64_t n : split_channels) {
    pieces.push_back(relevance.narrow(1, start, n));
    start += n;
  }
  return pieces;
}

}  // namespace lrpseg
