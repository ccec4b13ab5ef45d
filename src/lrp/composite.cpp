#include "lrp/composite.h"

#include <cstdlib>
#include <sstream>

#include "util/error.h"

namespace lrpseg {

const char* to_string(HiddenRule rule) { return rule == HiddenRule::ZPlus ? "z+" : "epsilon"; }

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

HiddenRule parse_hidden_rule(const std::string& name) {
  if (name == "z+" || name == "zplus") return HiddenRule::ZPlus;
  if (name == "epsilon") return HiddenRule::Epsilon;
  throw Error("--rule '" + name + "': expected z+ or epsilon");
}

Target parse_target(const std::string& name) {
  if (name == "all") return Target::All;
  if (name == "lesion") return Target::Lesion;
  if (name == "lesion-mask") return Target::LesionMask;
  throw Error("--target '" + name + "': expected all, lesion or lesion-mask");
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
    const std::string number = spec.substr(6);
    char* end = nullptr;
    const double f = std::strtod(number.c_str(), &end);
    if (!number.empty() && end == number.c_str() + number.size() && f >= 0.0 && f <= 1.0) {
      merge = Merge::Paper;
      skip_fraction = f;
      return;
    }
  }
  throw Error("--merge '" + spec + "': expected sum or paper:f with f in [0, 1]");
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
  s << "rule = " << to_string(o.hidden_rule) << "\n"
    << "epsilon = " << o.epsilon << "\n"
    << "epsilon_rule_eps = " << o.epsilon_rule_eps << "\n"
    << "zbox_bounds = [" << o.zbox_low << ", " << o.zbox_high << "]\n"
    << "fold_bn = " << (o.fold_bn ? "true" : "false") << "\n"
    << "merge = " << merge_to_string(o.merge, o.merge_skip_fraction) << "\n"
    << "target = " << to_string(o.target) << "\n"
    << "fuse_forward = " << (o.fuse_forward ? "true" : "false") << "\n"
    << "max_batch = " << o.max_batch << "\n"
    << "filters =";
  for (const Filter& f : o.filters) s << " " << to_string(f);
  s << "\nfilter_places =";
  for (const std::string& p : o.filter_places) s << " " << p;
  s << "\n";
  return s.str();
}

Composite::Composite(const LrpOptions& options)
    : first_conv(ConvRule::z_box(options.zbox_low, options.zbox_high, options.epsilon)),
      hidden_conv(options.hidden_rule == HiddenRule::ZPlus
                      ? ConvRule::z_plus(options.epsilon)
                      : ConvRule::epsilon_rule(options.epsilon_rule_eps)),
      transposed(hidden_conv),
      pool_epsilon(options.epsilon) {
  if (!(options.zbox_low < options.zbox_high)) {
    throw Error("lrp: z^B bounds need low < high");
  }
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
