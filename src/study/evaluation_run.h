#pragma once
// `lrpseg evaluate` and the pipeline's evaluate step: the evaluation
// (evaluation/evaluate.h) with its plots written next to its tables.
#include <nlohmann/json.hpp>
#include <string>

#include "evaluation/evaluate.h"

namespace lrpseg {

// evaluate(options), then plot_evaluation into options.out_dir; the plot
// files are added to result.files.
EvaluationResult run_evaluation(const EvaluateOptions& options);

// The report's title of an evaluation plot file (evaluation_perturbation.png …).
std::string evaluation_figure_title(const std::string& file);

// The experiment config's "evaluate" block (keys as the CLI options, with _ for
// -): methods, filters, metrics, perturb, perturb_patch, perturb_steps,
// perturb_fraction, random_orders, evidence, robustness_sigma (a number or a
// list), robustness_samples, seed, select, alpha_grid, objective,
// abpc_tolerance, min_precision_correlation, min_robustness_correlation,
// select_robustness_sigma; "cases" is read by the pipeline. Everything but the
// model, data, cases and output is set; errors name `where` and the key.
EvaluateOptions evaluate_options_from_json(const nlohmann::json& block, const std::string& where);

}  // namespace lrpseg
