#pragma once
// Every named convolution rule, built from the generic terms of lrp/rules.h:
// adding a rule is one entry in rule_catalog.cpp. Definitions follow Zennit's
// (rules.py) except that biases stay out of every rule but epsilon, as in the
// paper's z+, so that all the others conserve relevance.
#include <string>
#include <vector>

#include "lrp/rules.h"

namespace lrpseg {

struct RuleParameters {
  double epsilon = 1e-9;                   // stabiliser of every rule but epsilon (paper Annex 2)
  double epsilon_rule_eps = 1e-9;          // ε of the epsilon rule
  double gamma = 0.25;                     // LRP-γ
  double alpha = 2.0, beta = 1.0;          // LRP-αβ, α − β = 1
  double zbox_low = 0.0, zbox_high = 1.0;  // z^B bounds: inputs are min-max scaled to [0, 1]
};

struct RuleEntry {
  const char* name;
  const char* description;
  ConvRule (*make)(const RuleParameters&);
};

// z+, z+stable, epsilon, gamma, alpha-beta, zB, flat, w2.
const std::vector<RuleEntry>& rule_catalog();

// The rule called `name`; throws lrpseg::Error naming `option` (e.g. "--rule")
// for an unknown name or invalid parameters (γ < 0, α − β ≠ 1, L ≥ H).
ConvRule make_rule(const std::string& name, const RuleParameters& parameters,
                   const std::string& option);

// Throws lrpseg::Error naming the option when a parameter is out of range.
void check_rule_parameters(const RuleParameters& parameters);

}  // namespace lrpseg
