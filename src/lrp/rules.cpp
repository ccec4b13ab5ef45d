#include "lrp/rules.h"

#include <algorithm>
#include <sstream>

#include "model/convolution.h"
#include "util/error.h"

namespace lrpseg {

namespace {

// Z + ε, or Z + ε·sign(Z) with sign(0) = +1 (so Z = 0 never divides by zero); in place.
void stabilise_(torch::Tensor& z, const ConvRule& rule) {
  if (!rule.signed_epsilon) {
    z.add_(rule.epsilon);
  } else {
    z.add_(torch::where(z >= 0, rule.epsilon, -rule.epsilon));
  }
}

bool constant_input(InputPart input) {
  return input == InputPart::Low || input == InputPart::High || input == InputPart::Ones;
}

// The constant a term reads (L, H or 1).
double constant_of(const ConvRule& rule, InputPart input) {
  switch (input) {
    case InputPart::Low:
      return rule.low;
    case InputPart::High:
      return rule.high;
    default:
      return 1.0;
  }
}

// A term contributes nothing when it reads the constant 0 (z^B's L = 0).
bool contributes(const ConvRule& rule, const RuleTerm& term) {
  return !constant_input(term.input) || constant_of(rule, term.input) != 0.0;
}

torch::Tensor input_part(const torch::Tensor& x, InputPart part) {
  switch (part) {
    case InputPart::Positive:
      return x.clamp_min(0.0);
    case InputPart::Negative:
      return x.clamp_max(0.0);
    default:
      return x;
  }
}

// The index of the only term reading X itself in a one-group rule whose other
// terms read constants, or −1.
int single_activation_term(const ConvRule& rule) {
  if (rule.groups.size() != 1 || rule.groups[0].where != OutputSign::Any) return -1;
  const std::vector<RuleTerm>& terms = rule.groups[0].terms;
  int found = -1;
  for (size_t t = 0; t < terms.size(); ++t) {
    if (constant_input(terms[t].input)) continue;
    if (terms[t].input != InputPart::Activation || found >= 0) return -1;
    found = static_cast<int>(t);
  }
  return found;
}

// f(X-part or constant; weight map) of one term, bias-free, batch 1.
torch::Tensor term_z(const ConvLayer& layer, const ConvRule& rule, const RuleTerm& term) {
  const torch::Tensor w = term.weight.apply(layer.weight);
  if (!constant_input(term.input)) {
    return layer_forward(layer, input_part(layer.input, term.input), w);
  }
  // f(c·1; W) = c·f(1; Σ_in W): a constant input needs one channel, not C_in.
  std::vector<int64_t> shape = layer.input.sizes().vec();
  shape[0] = 1;
  shape[1] = 1;
  const int64_t in_dim = layer.transposed ? 0 : 1;
  return layer_forward(layer, torch::ones(shape, layer.input.options()),
                       w.sum(in_dim, /*keepdim=*/true))
      .mul_(constant_of(rule, term.input));
}

// Z of one group (batch 1, before the stabiliser); `precomputed` is the index
// of the term whose f(X; W_t) the forward already computed, or −1.
torch::Tensor group_z(const ConvLayer& layer, const ConvRule& rule, const RuleGroup& group,
                      int precomputed) {
  torch::Tensor z;
  for (size_t t = 0; t < group.terms.size(); ++t) {
    const RuleTerm& term = group.terms[t];
    if (!contributes(rule, term)) continue;
    torch::Tensor zt =
        static_cast<int>(t) == precomputed ? layer.activation_z.clone() : term_z(layer, rule, term);
    if (!z.defined()) {
      z = term.sign == 1.0 ? zt : zt.mul_(term.sign);
    } else {
      z.add_(zt, term.sign);
    }
  }
  if (rule.use_bias && layer.bias.defined()) z.add_(layer.bias.view({1, -1, 1, 1, 1}));
  return z;
}

// Where the group applies, as 0/1 of the layer's own output sign; undefined for all.
torch::Tensor group_mask(const torch::Tensor& output, OutputSign where) {
  if (where == OutputSign::Any) return {};
  return (where == OutputSign::Positive ? output > 0 : output <= 0).to(output.scalar_type());
}

void count_near_zero(const torch::Tensor& z, const torch::Tensor& mask, DenominatorHealth* health) {
  if (!health) return;
  const torch::Tensor magnitude = z.abs();
  const double largest = magnitude.max().item<double>();
  torch::Tensor near = magnitude <= 1e-6 * largest;  // all of an all-zero Z
  if (mask.defined()) {
    health->near_zero += (near & mask.to(torch::kBool)).sum().item<int64_t>();
    health->total += mask.sum().item<int64_t>();
  } else {
    health->near_zero += near.sum().item<int64_t>();
    health->total += z.numel();
  }
}

// Σ_t sign_t·input_t ⊙ f*(s; weight_t) of one group, all terms' adjoints in one
// call: their weights side by side as the input channels of one wider layer.
torch::Tensor group_adjoint(const ConvLayer& layer, const ConvRule& rule, const RuleGroup& group,
                            torch::Tensor s) {
  std::vector<const RuleTerm*> terms;
  std::vector<torch::Tensor> weights;
  for (const RuleTerm& term : group.terms) {
    if (!contributes(rule, term)) continue;
    terms.push_back(&term);
    weights.push_back(term.weight.apply(layer.weight));
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
    if (!constant_input(term.input)) {
      const torch::Tensor x = input_part(layer.input, term.input);
      c = terms.size() == 1 ? c.mul_(x) : c * x;
      if (term.sign != 1.0) c.mul_(term.sign);
    } else {
      c = c * (term.sign * constant_of(rule, term.input));
    }
    if (!result.defined()) {
      result = c;
    } else {
      result.add_(c);
    }
  }
  return result;
}

}  // namespace

torch::Tensor WeightMap::apply(const torch::Tensor& weight) const {
  switch (kind) {
    case Kind::Square:
      return weight * weight;
    case Kind::Ones:
      return torch::ones_like(weight);
    case Kind::Linear:
      break;
  }
  if (all == 1.0 && positive == 0.0 && negative == 0.0) return weight;
  if (all == 0.0 && positive == 1.0 && negative == 0.0) return weight.clamp_min(0.0);
  if (all == 0.0 && positive == 0.0 && negative == 1.0) return weight.clamp_max(0.0);
  torch::Tensor w = weight * all;
  if (positive != 0.0) w.add_(weight.clamp_min(0.0), positive);
  if (negative != 0.0) w.add_(weight.clamp_max(0.0), negative);
  return w;
}

std::string WeightMap::tag() const {
  if (kind == Kind::Square) return "W^2";
  if (kind == Kind::Ones) return "1";
  if (all == 1.0 && positive == 0.0 && negative == 0.0) return "W";
  if (all == 0.0 && positive == 1.0 && negative == 0.0) return "W+";
  if (all == 0.0 && positive == 0.0 && negative == 1.0) return "W-";
  std::ostringstream s;
  s << all << "W+" << positive << "W+ +" << negative << "W-";
  return s.str();
}

ConvRule ConvRule::z_plus(double epsilon) {
  ConvRule r;
  r.name = "z+";
  r.groups = {{{{InputPart::Activation, WeightMap::positive_part(), 1.0}}}};
  r.epsilon = epsilon;
  return r;
}

ConvRule ConvRule::epsilon_rule(double epsilon) {
  ConvRule r;
  r.name = "epsilon";
  r.groups = {{{{InputPart::Activation, WeightMap::plain(), 1.0}}}};
  r.use_bias = true;
  r.epsilon = epsilon;
  r.signed_epsilon = true;
  return r;
}

ConvRule ConvRule::z_box(double low, double high, double epsilon) {
  ConvRule r;
  r.name = "zB";
  r.groups = {{{{InputPart::Activation, WeightMap::plain(), 1.0},
                {InputPart::Low, WeightMap::positive_part(), -1.0},
                {InputPart::High, WeightMap::negative_part(), -1.0}}}};
  r.epsilon = epsilon;
  r.low = low;
  r.high = high;
  return r;
}

torch::Tensor layer_forward(const ConvLayer& layer, const torch::Tensor& x,
                            const torch::Tensor& weight) {
  if (layer.transposed) return lrpseg::conv_transpose3d(x, weight, {}, layer.stride, layer.padding);
  return lrpseg::conv3d(x, weight, {}, layer.stride, layer.padding);
}

torch::Tensor layer_adjoint(const ConvLayer& layer, const torch::Tensor& s,
                            const torch::Tensor& weight) {
  if (layer.transposed) return conv_transpose3d_adjoint(s, weight, layer.stride, layer.padding);
  return conv3d_adjoint(s, weight, layer.stride, layer.padding,
                        {layer.input.size(2), layer.input.size(3), layer.input.size(4)});
}

torch::Tensor companion_weight(const ConvRule& rule, const torch::Tensor& weight) {
  const int t = single_activation_term(rule);
  if (t < 0) return {};
  return rule.groups[0].terms[t].weight.apply(weight).contiguous();
}

std::string companion_tag(const ConvRule& rule) {
  const int t = single_activation_term(rule);
  return t < 0 ? "" : rule.groups[0].terms[t].weight.tag();
}

torch::Tensor conv_relevance(const ConvLayer& layer, const ConvRule& rule,
                             const torch::Tensor& relevance, DenominatorHealth* health) {
  return conv_relevance_(layer, rule, relevance.clone(), health);
}

torch::Tensor conv_relevance_(const ConvLayer& layer, const ConvRule& rule,
                              torch::Tensor&& relevance, DenominatorHealth* health) {
  if (rule.groups.empty()) throw Error("lrp: rule '" + rule.name + "' has no terms");
  const int precomputed = layer.activation_z.defined() ? single_activation_term(rule) : -1;
  const bool masked = std::any_of(rule.groups.begin(), rule.groups.end(),
                                  [](const RuleGroup& g) { return g.where != OutputSign::Any; });
  if (rule.groups.size() == 1 && !masked) {
    const RuleGroup& group = rule.groups[0];
    torch::Tensor z = group_z(layer, rule, group, precomputed);
    count_near_zero(z, {}, health);
    stabilise_(z, rule);
    // S = R / Z in R's own storage: no K-sized temporary, and R is dead afterwards.
    torch::Tensor s = std::move(relevance);
    s.div_(z);
    if (group.factor != 1.0) s.mul_(group.factor);
    z = torch::Tensor();
    return group_adjoint(layer, rule, group, std::move(s));
  }
  torch::Tensor output;
  if (masked) {
    output = layer_forward(layer, layer.input, layer.weight);
    if (layer.bias.defined()) output.add_(layer.bias.view({1, -1, 1, 1, 1}));
  }
  torch::Tensor result;
  for (const RuleGroup& group : rule.groups) {
    torch::Tensor z = group_z(layer, rule, group, -1);
    const torch::Tensor mask = group_mask(output, group.where);
    count_near_zero(z, mask, health);
    stabilise_(z, rule);
    torch::Tensor s = relevance / z;
    z = torch::Tensor();
    if (mask.defined()) s.mul_(mask);
    if (group.factor != 1.0) s.mul_(group.factor);
    torch::Tensor part = group_adjoint(layer, rule, group, std::move(s));
    if (!result.defined()) {
      result = std::move(part);
    } else {
      result.add_(part);
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
