#include "study/evaluation_run.h"

#include <algorithm>

#include "data/preprocess.h"
#include "data/synth.h"
#include "distributed/process_group.h"
#include "lrp/filters.h"
#include "report/evaluation_plots.h"
#include "study/config_json.h"
#include "util/error.h"

namespace lrpseg {

EvaluationResult run_evaluation(const EvaluateOptions& options) {
  EvaluationResult result = evaluate(options);
  if (options.group && options.group->rank() != 0) return result;  // rank 0 writes
  for (const std::string& f : plot_evaluation(result, options.out_dir)) result.files.push_back(f);
  return result;
}

std::string evaluation_figure_title(const std::string& file) {
  if (file == "evaluation_perturbation.png")
    return "Region perturbation: lesion score as patches are replaced, most relevant first "
           "(left, with random orders) and least relevant first (right); mean over cases.";
  if (file == "evaluation_randomisation.png")
    return "Cascading randomisation: similarity of each explanation to the original as the "
           "network is randomised from the head down to the first block.";
  if (file == "evaluation_alpha.png")
    return "Localisation metrics of the filters [0, alpha] against alpha, with the chosen "
           "alpha0 marked: pass (left) and clamp (right).";
  if (file == "evaluation_robustness.png")
    return "Robustness: correlation with the clean explanation and max-sensitivity against "
           "the relative input noise sigma.";
  return file;
}

using nlohmann::json;

EvaluateOptions evaluate_options_from_json(const json& block, const std::string& where) {
  if (!block.is_object()) throw Error(where + ": must be an object");
  static const std::vector<std::string> known{"cases",
                                              "methods",
                                              "filters",
                                              "metrics",
                                              "perturb",
                                              "perturb_patch",
                                              "perturb_steps",
                                              "perturb_fraction",
                                              "random_orders",
                                              "evidence",
                                              "robustness_sigma",
                                              "robustness_samples",
                                              "seed",
                                              "select",
                                              "alpha_grid",
                                              "objective",
                                              "abpc_tolerance",
                                              "min_precision_correlation",
                                              "min_robustness_correlation",
                                              "select_robustness_sigma",
                                              "select_robustness_samples",
                                              "randomisation_stages"};
  reject_unknown_keys(block, known, where);
  EvaluateOptions o;
  try {
    o.methods.methods =
        parse_methods(get_or<std::string>(block, "methods", "lrp,gradient-x-input", where));
    o.lrp.filters = parse_filters(get_or<std::string>(block, "filters", "paper", where));
    o.families = parse_evaluation_families(get_or<std::string>(block, "metrics", "all", where));
    o.perturbation.mode =
        parse_perturbation_mode(get_or<std::string>(block, "perturb", "zero", where));
    o.perturbation.patch = parse_size_dhw(
        get_or<std::string>(block, "perturb_patch", "1x4x4", where), "perturb_patch");
    o.perturbation.steps = get_or<int>(block, "perturb_steps", o.perturbation.steps, where);
    o.perturbation.fraction =
        get_or<double>(block, "perturb_fraction", o.perturbation.fraction, where);
    o.perturbation.random_orders =
        get_or<int>(block, "random_orders", o.perturbation.random_orders, where);
    const std::string evidence = get_or<std::string>(block, "evidence", "", where);
    if (!evidence.empty()) o.evidence = evidence_channels(parse_evidence_modalities(evidence));
    if (block.contains("robustness_sigma")) {
      const json& s = block.at("robustness_sigma");
      o.robustness.sigmas =
          s.is_array() ? s.get<std::vector<double>>() : std::vector<double>{s.get<double>()};
    }
    o.robustness.samples = get_or<int>(block, "robustness_samples", o.robustness.samples, where);
    o.robustness.seed = get_or<uint64_t>(block, "seed", 0, where);
    o.perturbation.seed = o.randomisation_seed = o.robustness.seed;
    if (block.contains("randomisation_stages")) {
      o.randomisation_checkpoints =
          block.at("randomisation_stages").get<std::vector<std::string>>();
      check_randomisation_checkpoints(o.randomisation_checkpoints);
    }
    o.select = get_or<bool>(block, "select", false, where);
    o.selection.grid =
        parse_alpha_grid(get_or<std::string>(block, "alpha_grid", "24:0.005-1", where));
    AlphaCriterion& c = o.selection.criterion;
    c.objective = get_or<std::string>(block, "objective", c.objective, where);
    c.abpc_tolerance = get_or<double>(block, "abpc_tolerance", c.abpc_tolerance, where);
    c.min_precision_correlation =
        get_or<double>(block, "min_precision_correlation", c.min_precision_correlation, where);
    c.min_robustness_correlation =
        get_or<double>(block, "min_robustness_correlation", c.min_robustness_correlation, where);
    o.selection.robustness_samples =
        get_or<int>(block, "select_robustness_samples", o.selection.robustness_samples, where);
    c.robustness_sigma =
        get_or<double>(block, "select_robustness_sigma", c.robustness_sigma, where);
    check_alpha_criterion(c);
    check_robustness_options(o.robustness);
  } catch (const json::exception& e) {
    throw Error(where + ": " + e.what());
  } catch (const Error& e) {
    throw Error(where + ": " + e.what());
  }
  return o;
}

}  // namespace lrpseg
