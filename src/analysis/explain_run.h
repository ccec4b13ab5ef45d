#pragma once
// `lrpseg explain` over cases: each case explained (infer/explain_cases.h),
// optionally checked in the other precision and under input noise, and its
// files written.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analysis/robustness.h"
#include "distributed/process_group.h"
#include "infer/explain_cases.h"

namespace lrpseg {

struct ExplainOptions {
  std::string model_dir;
  std::string out_dir;
  std::vector<CaseFiles> cases;
  LrpOptions lrp;  // rules, target, filters (K settings → one batch), precision
  MethodOptions methods;
  bool check_precision = false;  // also explain in the other precision and compare
  // Also explain robustness.samples noisy copies of each input at
  // robustness.sigmas (one σ) and compare (issue 14); off when unset.
  std::optional<RobustnessOptions> robustness;
  bool native = false;  // also write network-size relevance and input
  int threads = 0;
  bool quiet = false;
  // A rank of a data-parallel job: the cases are shared round-robin (each rank writes its
  // cases' folders) and every rank returns all summaries in case order.
  ProcessGroup* group = nullptr;
};

// Throws lrpseg::Error naming --robustness-sigma unless options holds one σ
// and valid samples.
void check_single_sigma(const RobustnessOptions& options);

// The robustness of every map of `c` (filters and methods, in c's order) at
// options.sigmas[0], with the OT at the network grid (inclusivity change).
std::vector<RobustnessScores> case_robustness(UNet& net, const CaseExplanation& c,
                                              const LrpOptions& lrp, const MethodOptions& methods,
                                              const RobustnessOptions& options,
                                              double relevance_threshold = 0.5);

// Per case, under OUT/<case>/:
//   relevance_<filter>.nii.gz         4-D float32 (one volume per modality), case grid and geometry
//   native/relevance_<filter>.nii.gz  with --native: network-size relevance
//   native/input.nii.gz               with --native: the network input it explains
//   prediction.nii.gz                 the lesion mask at the case grid (uint8)
//   summary.json                      Dice, per-filter max|R| per channel, Σ R, seconds;
//                                     with check_precision, "precision_check": per filter
//                                     Pearson, Spearman, max relative error float32 vs
//                                     float64, and near-zero denominators per layer; with
//                                     robustness, "robustness" (robustness_json)
// Returns the summaries.
std::vector<nlohmann::json> explain_cases(const ExplainOptions& options);

}  // namespace lrpseg
