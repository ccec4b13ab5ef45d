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

// The positive contributions x⁺w⁺ + x⁻w⁻ (Zennit's ZPlus), or the negative ones.
std::vector<RuleTerm> contributions(bool positive) {
  const WeightMap same = positive ? WeightMap::positive_part() : WeightMap::negative_part();
  const WeightMap other = positive ? WeightMap::negative_part() : WeightMap::positive_part();
  return {{InputPart::Positive, same, 1.0}, {InputPart::Negative, other, 1.0}};
}

ConvRule z_plus_stable(const RuleParameters& p) {
  ConvRule r;
  r.name = "z+stable";
  r.groups = {{contributions(true)}};
  r.epsilon = p.epsilon;
  r.signed_epsilon = true;
  return r;
}

ConvRule gamma_rule(const RuleParameters& p) {
  ConvRule r;
  r.name = "gamma";
  // Where the output is positive, favour positive contributions; where it is
  // not, negative ones (Zennit's Gamma; zero outputs join the second group so
  // that relevance is conserved).
  RuleGroup up{{{InputPart::Positive, gamma_map(p.gamma, true), 1.0},
                {InputPart::Negative, gamma_map(p.gamma, false), 1.0}},
               1.0,
               OutputSign::Positive};
  RuleGroup down{{{InputPart::Positive, gamma_map(p.gamma, false), 1.0},
                  {InputPart::Negative, gamma_map(p.gamma, true), 1.0}},
                 1.0,
                 OutputSign::Negative};
  r.groups = {up, down};
  r.epsilon = p.epsilon;
  r.signed_epsilon = true;
  return r;
}

ConvRule alpha_beta(const RuleParameters& p) {
  ConvRule r;
  std::ostringstream name;
  name << "alpha" << p.alpha << "-beta" << p.beta;
  r.name = name.str();
  r.groups = {{contributions(true), p.alpha}, {contributions(false), -p.beta}};
  r.epsilon = p.epsilon;
  r.signed_epsilon = true;
  return r;
}

// Constant input and weight: relevance spread uniformly over the receptive field.
ConvRule flat(const RuleParameters& p) {
  ConvRule r;
  r.name = "flat";
  r.groups = {{{{InputPart::Ones, WeightMap::ones(), 1.0}}}};
  r.epsilon = p.epsilon;
  return r;
}

// Constant input, squared weights.
ConvRule w_square(const RuleParameters& p) {
  ConvRule r;
  r.name = "w2";
  r.groups = {{{{InputPart::Ones, WeightMap::squared(), 1.0}}}};
  r.epsilon = p.epsilon;
  return r;
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
  if (!(p.gamma >= 0.0)) throw Error("--gamma must be ≥ 0");
  if (!(p.alpha >= 0.0 && p.beta >= 0.0) || std::abs(p.alpha - p.beta - 1.0) > 1e-12) {
    throw Error("--alpha/--beta: need α − β = 1 with α, β ≥ 0");
  }
  if (!(p.zbox_low < p.zbox_high)) throw Error("--zb-low must be below --zb-high");
  if (!(p.epsilon >= 0.0) || !(p.epsilon_rule_eps >= 0.0)) throw Error("--epsilon must be ≥ 0");
}

ConvRule make_rule(const std::string& name, const RuleParameters& parameters,
                   const std::string& option) {
  check_rule_parameters(parameters);
  std::string known;
  for (const RuleEntry& entry : rule_catalog()) {
    if (name == entry.name) return entry.make(parameters);
    known += (known.empty() ? "" : ", ") + std::string(entry.name);
  }
  throw Error(option + " '" + name + "': unknown rule; expected one of " + known);
}

}  // namespace lrpseg
