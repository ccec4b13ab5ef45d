#include "lrp/composite.h"

#include <cstdlib>
#include <sstream>

#include "util/error.h"
#include "util/text.h"

namespace lrpseg {

const char* to_string(Target target) {
  switch (target) {
    case Target::All:
      return "all";
    case Target::Lesion:
      return "lesion";
    case Target::LesionMask:
      return "lesion-mask";
  }
  return "?";
}

const std::vector<CompositePreset>& composite_presets() {
  static const std::vector<CompositePreset> presets = {
      {"paper", "zB", "z+", "z+", "Tjoa et al.: z^B [0, 1] first layer, z+ elsewhere"},
      {"epsilon-plus", "z+stable", "z+stable", "z+stable",
       "Zennit EpsilonPlus: stable z+ for every convolution"},
      {"epsilon-gamma-box", "zB", "gamma", "gamma",
       "Zennit EpsilonGammaBox: z^B first layer, LRP-γ elsewhere"},
      {"epsilon-alpha2-beta1", "alpha-beta", "alpha-beta", "alpha-beta",
       "Zennit EpsilonAlpha2Beta1: LRP-αβ (α = 2, β = 1) for every convolution"},
  };
  return presets;
}

const CompositePreset& composite_preset(const std::string& name) {
  std::string known;
  for (const CompositePreset& preset : composite_presets()) {
    if (name == preset.name) return preset;
    known += (known.empty() ? "" : ", ") + std::string(preset.name);
  }
  throw UsageError("--composite '" + name + "': unknown composite; expected one of " + known);
}

const char* to_string(Precision precision) {
  return precision == Precision::Float ? "float" : "double";
}

Precision parse_precision(const std::string& name) {
  if (name == "float" || name == "float32") return Precision::Float;
  if (name == "double" || name == "float64") return Precision::Double;
  throw UsageError("--precision '" + name + "': expected float or double");
}

torch::Dtype dtype_of(Precision precision) {
  return precision == Precision::Float ? torch::kFloat : torch::kDouble;
}

Precision other_precision(Precision precision) {
  return precision == Precision::Float ? Precision::Double : Precision::Float;
}

Target parse_target(const std::string& name) {
  if (name == "all") return Target::All;
  if (name == "lesion") return Target::Lesion;
  if (name == "lesion-mask") return Target::LesionMask;
  throw UsageError("--target '" + name + "': expected all, lesion or lesion-mask");
}

void parse_merge(const std::string& spec, Merge& merge, double& skip_fraction) {
  if (spec == "sum") {
    merge = Merge::Sum;
    return;
  }
  if (spec == "paper") {
    merge = Merge::Paper;
    skip_fraction = 0.5;
    return;
  }
  if (spec.rfind("paper:", 0) == 0) {
    const std::optional<double> f = parse_double(spec.substr(6));
    if (f && *f >= 0.0 && *f <= 1.0) {
      merge = Merge::Paper;
      skip_fraction = *f;
      return;
    }
  }
  throw UsageError("--merge '" + spec + "': expected sum or paper:f with f in [0, 1]");
}

std::string merge_to_string(Merge merge, double skip_fraction) {
  if (merge == Merge::Sum) return "sum";
  std::ostringstream s;
  s << "paper:" << skip_fraction;
  return s.str();
}

std::vector<std::string> paper_filter_places() {
  return {"output",  "head.conv", "cat1.skip", "cat1.up",  "cat2.skip",
          "cat2.up", "cat3.skip", "cat3.up",   "up1",      "up2",
          "up3",     "b1.conv1",  "b2.conv1",  "b3.conv1", "b4.conv1"};
}

std::string describe(const LrpOptions& o) {
  std::ostringstream s;
  const Composite composite(o);
  s << "composite = " << o.composite << "\n"
    << "rule.first = " << composite.first_conv.name << "\n"
    << "rule.hidden = " << composite.hidden_conv.name << "\n"
    << "rule.transposed = " << composite.transposed.name << "\n"
    << "precision = " << to_string(o.precision) << "\n"
    << "epsilon = " << o.rule.epsilon << "\n"
    << "epsilon_rule_eps = " << o.rule.epsilon_rule_eps << "\n"
    << "gamma = " << o.rule.gamma << "\n"
    << "alpha_beta = [" << o.rule.alpha << ", " << o.rule.beta << "]\n"
    << "zbox_bounds = [" << o.rule.zbox_low << ", " << o.rule.zbox_high << "]\n"
    << "fold_bn = " << (o.fold_bn ? "true" : "false") << "\n"
    << "merge = " << merge_to_string(o.merge, o.merge_skip_fraction) << "\n"
    << "target = " << to_string(o.target) << "\n"
    << "fuse_forward = " << (o.fuse_forward ? "true" : "false") << "\n"
    << "max_batch = " << o.max_batch << "\n"
    << "max_memory_bytes = " << o.max_memory_bytes << "\n"
    << "filters =";
  for (const Filter& f : o.filters) s << " " << to_string(f);
  s << "\nfilter_places =";
  for (const std::string& p : o.filter_places) s << " " << p;
  s << "\n";
  return s.str();
}

Composite::Composite(const LrpOptions& options) : pool_epsilon(options.rule.epsilon) {
  const CompositePreset& preset = composite_preset(options.composite);
  const bool hidden_set = !options.hidden_rule.empty();
  first_conv = make_rule(options.first_rule.empty() ? preset.first_conv : options.first_rule,
                         options.rule, "--first-rule");
  hidden_conv =
      make_rule(hidden_set ? options.hidden_rule : preset.hidden_conv, options.rule, "--rule");
  transposed =
      make_rule(hidden_set ? options.hidden_rule : preset.transposed, options.rule, "--rule");
}

const ConvRule& Composite::rule_for(const TraceStep& step) const {
  if (step.kind != LayerKind::Conv && step.kind != LayerKind::ConvTranspose) {
    throw Error("lrp: no convolution rule for " + step.name);
  }
  return rule_for(step.kind, step.inputs.size() == 1 ? step.inputs[0] : -1);
}

const ConvRule& Composite::rule_for(LayerKind kind, int input_id) const {
  if (kind == LayerKind::ConvTranspose) return transposed;
  return input_id == 0 ? first_conv : hidden_conv;  // tensor 0 is the network input
}

}  // namespace lrpseg
