#include "lrp/rule_catalog.h"

#include <cmath>
#include <sstream>

#include "util/error.h"

namespace lrpseg {

namespace {

// W + γ·W⁺ (or W + γ·W⁻).
WeightMap gamma_map(double gamma, bool positive) {
  return {WeightMap::Kind::Linear, 1.0, positive ? gamma : 0.0, positive ? 0.0 : gamma};
}

// x⁺ through one weight map and x⁻ through another, sharing one denominator.
std::vector<RuleTerm> by_input_sign(const WeightMap& for_positive, const WeightMap& for_negative) {
  return {{InputPart::Positive, for_positive, 1.0}, {InputPart::Negative, for_negative, 1.0}};
}

// The positive contributions x⁺w⁺ + x⁻w⁻ (Zennit's ZPlus), or the negative ones.
std::vector<RuleTerm> contributions(bool positive) {
  const WeightMap pos = WeightMap::positive_part(), neg = WeightMap::negative_part();
  return positive ? by_input_sign(pos, neg) : by_input_sign(neg, pos);
}

// Z of these rules may take either sign: stabilised by ε·sign(Z).
ConvRule signed_rule(std::string name, std::vector<RuleGroup> groups, double epsilon) {
  ConvRule r;
  r.name = std::move(name);
  r.groups = std::move(groups);
  r.epsilon = epsilon;
  r.signed_epsilon = true;
  return r;
}

ConvRule z_plus_stable(const RuleParameters& p) {
  return signed_rule("z+stable", {{contributions(true)}}, p.epsilon);
}

ConvRule gamma_rule(const RuleParameters& p) {
  // Where the output is positive, favour positive contributions; where it is
  // not, negative ones (Zennit's Gamma; zero outputs join the second group so
  // that relevance is conserved).
  const WeightMap up = gamma_map(p.gamma, true), down = gamma_map(p.gamma, false);
  return signed_rule("gamma",
                     {{by_input_sign(up, down), 1.0, OutputSign::Positive},
                      {by_input_sign(down, up), 1.0, OutputSign::Negative}},
                     p.epsilon);
}

ConvRule alpha_beta(const RuleParameters& p) {
  std::ostringstream name;
  name << "alpha" << p.alpha << "-beta" << p.beta;
  return signed_rule(name.str(), {{contributions(true), p.alpha}, {contributions(false), -p.beta}},
                     p.epsilon);
}

// The constant input 1 through a weight map: Z > 0, plain ε.
ConvRule constant_input_rule(std::string name, const WeightMap& weight, double epsilon) {
  ConvRule r;
  r.name = std::move(name);
  r.groups = {{{{InputPart::Ones, weight, 1.0}}}};
  r.epsilon = epsilon;
  return r;
}

// Constant input and weight: relevance spread uniformly over the receptive field.
ConvRule flat(const RuleParameters& p) {
  return constant_input_rule("flat", WeightMap::ones(), p.epsilon);
}

// Constant input, squared weights.
ConvRule w_square(const RuleParameters& p) {
  return constant_input_rule("w2", WeightMap::squared(), p.epsilon);
}

}  // namespace

const std::vector<RuleEntry>& rule_catalog() {
  static const std::vector<RuleEntry> catalog = {
      {"z+", "paper eq. 1: X ⊙ f*(R / f(X; W+)), no bias",
       [](const RuleParameters& p) { return ConvRule::z_plus(p.epsilon); }},
      {"z+stable", "x⁺w⁺ + x⁻w⁻ (Zennit ZPlus), no bias; does not cancel on negative activations",
       z_plus_stable},
      {"epsilon", "the layer's own W and b, Z + ε·sign(Z) (paper Annex 2 Relprop)",
       [](const RuleParameters& p) { return ConvRule::epsilon_rule(p.epsilon_rule_eps); }},
      {"gamma", "W + γW⁺ on positive, W + γW⁻ on negative contributions (Zennit Gamma), no bias",
       gamma_rule},
      {"alpha-beta", "α·(x⁺w⁺ + x⁻w⁻) − β·(x⁺w⁻ + x⁻w⁺), each normalised (Zennit AlphaBeta)",
       alpha_beta},
      {"zB", "z^B with input bounds [L, H] (paper, first layer)",
       [](const RuleParameters& p) { return ConvRule::z_box(p.zbox_low, p.zbox_high, p.epsilon); }},
      {"flat", "uniform over the receptive field (Zennit Flat)", flat},
      {"w2", "w² (Zennit WSquare)", w_square},
  };
  return catalog;
}

void check_rule_parameters(const RuleParameters& p) {
  if (!(p.gamma >= 0.0)) throw UsageError("--gamma must be ≥ 0");
  if (!(p.alpha >= 0.0 && p.beta >= 0.0) || std::abs(p.alpha - p.beta - 1.0) > 1e-12) {
    throw UsageError("--alpha/--beta: need α − β = 1 with α, β ≥ 0");
  }
  if (!(p.zbox_low < p.zbox_high)) throw UsageError("--zb-low must be below --zb-high");
  if (!(p.epsilon >= 0.0) || !(p.epsilon_rule_eps >= 0.0))
    throw UsageError("--epsilon must be ≥ 0");
}

ConvRule make_rule(const std::string& name, const RuleParameters& parameters,
                   const std::string& option) {
  check_rule_parameters(parameters);
  std::string known;
  for (const RuleEntry& entry : rule_catalog()) {
    if (name == entry.name) return entry.make(parameters);
    known += (known.empty() ? "" : ", ") + std::string(entry.name);
  }
  throw_option_error(option, " '" + name + "': unknown rule; expected one of " + known);
}

}  // namespace lrpseg
