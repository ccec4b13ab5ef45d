#pragma once
// `lrpseg evaluate` (issues 11 and 14): every explanation of a case — LRP with
// each filter and each baseline method — measured for localisation against the
// OT, faithfulness (region perturbation), sanity (cascading randomisation),
// known evidence (synthetic data), numerical stability (float32 vs float64) and
// robustness to input noise; optionally the sweet spot α0 of each filter family.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/metrics.h"
#include "analysis/robustness.h"
#include "evaluation/alpha0.h"
#include "evaluation/randomisation.h"
#include "evaluation/region_perturbation.h"
#include "infer/explain_cases.h"
#include "io/isles.h"
#include "lrp/composite.h"

namespace lrpseg {

class ProcessGroup;

// The metric families, in output order.
const std::vector<std::string>& evaluation_families();
// Comma-separated family names; "all" is every family. Errors name --metrics.
std::vector<std::string> parse_evaluation_families(const std::string& list);

struct AlphaSelection {
  std::vector<double> grid = alpha_grid(24, 0.005, 1.0);
  AlphaCriterion criterion;
  int robustness_samples = 4;  // noisy inputs per case for the robustness constraint
};

struct EvaluateOptions {
  std::string model_dir;
  std::string out_dir;
  std::vector<CaseFiles> cases;
  LrpOptions lrp;  // rules, target, precision and the filters evaluated
  // LRP and the baseline methods (in methods.precision; stability, float32 vs
  // float64, is measured for LRP).
  MethodOptions methods;
  std::vector<std::string> families = evaluation_families();
  MetricOptions metric_options;  // inclusivity thresholds
  PerturbationOptions perturbation;
  RobustnessOptions robustness;
  uint64_t randomisation_seed = 0;
  // The stages after which the cascade's explanation is recomputed (each
  // randomises every stage before it too); default: all, head … b1.
  std::vector<std::string> randomisation_checkpoints = randomisation_stages();
  // Channels (kModalities indices) that carry the lesion signal by construction
  // (`lrpseg synth --evidence`); empty: no known-evidence metrics.
  std::vector<int> evidence;
  bool select = false;  // choose α0 per family
  AlphaSelection selection;
  int threads = 0;
  bool quiet = false;
  // A rank of a data-parallel job: the cases are shared round-robin, every α0 decision is
  // taken on values gathered from all ranks, and rank 0 writes what a single process writes.
  ProcessGroup* group = nullptr;
};

// One number of the long table; value nullopt = undefined (reported, counted).
struct EvaluationRow {
  std::string case_name, model, method, filter, metric;
  std::optional<double> value;
};

// One perturbation curve (scores after each step over the clean score).
struct CurveRow {
  std::string case_name, model, method, filter, order;  // order: morf | lerf | random
  std::vector<double> scores;
};

// Mean, sd and counts of one (model, method, filter, metric) over cases.
struct EvaluationSummaryRow {
  std::string model, method, filter, metric;
  double mean = 0, sd = 0;
  int n = 0, undefined = 0;
};

// One metric of the α grid, mean over cases (alpha_curves.csv).
struct AlphaCurvePoint {
  std::string family;  // pass | clamp
  double alpha = 0;
  std::string metric;
  std::optional<double> mean;
};

struct EvaluationResult {
  std::vector<EvaluationRow> rows;
  std::vector<CurveRow> curves;
  std::vector<EvaluationSummaryRow> summary;
  std::vector<AlphaChoice> alpha0;  // with select: pass, clamp
  std::vector<AlphaCurvePoint> alpha_curves;
  std::vector<double> perturbed_fractions;         // the x of the curves: share of brain patches
  std::vector<std::string> files;                  // written, relative to out_dir
  std::map<std::string, double> seconds_per_part;  // explain, each family, select
  double seconds = 0;
};

// Validates every option before any work (errors name the option).
void check_evaluate_options(const EvaluateOptions& options);

// Evaluates and writes into out_dir (rank 0 of a job only) (created; existing evaluation files are
// replaced atomically):
//   evaluation.csv            case, model, method, filter, metric, value (empty: undefined)
//   evaluation_summary.csv    model, method, filter, metric, mean, sd, n, undefined
//   evaluation_summary.md     the main metrics per method and filter
//   perturbation_curves.csv   case, model, method, filter, order, step, fraction, score
//   alpha0.json               with select: per family α0, criterion, every candidate
//   alpha_curves.csv          with select: family, alpha, metric, mean over cases
EvaluationResult evaluate(const EvaluateOptions& options);

// The method and filter of an explanation's batch entry: baselines are named
// after their method (filter "-"), LRP entries after their filter.
std::pair<std::string, std::string> method_and_filter(const std::string& entry);

// Mean and sample sd of the defined values per (model, method, filter, metric),
// in first-seen order; undefined and non-finite values are counted, not averaged.
std::vector<EvaluationSummaryRow> summarise(const std::vector<EvaluationRow>& rows);

// The text of evaluation.csv, evaluation_summary.csv and evaluation_summary.md.
std::string evaluation_csv(const std::vector<EvaluationRow>& rows);
std::string evaluation_summary_csv(const std::vector<EvaluationSummaryRow>& rows);
std::string evaluation_summary_markdown(const std::vector<EvaluationSummaryRow>& rows);

// Reads evaluation_summary.csv back (the report's input); errors name the file and row.
std::vector<EvaluationSummaryRow> read_evaluation_summary(const std::string& path);

}  // namespace lrpseg
