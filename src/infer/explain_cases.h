#pragma once
// One case explained: relevance heatmaps of a trained checkpoint, one batched
// relevance pass over all requested filters (DESIGN.md §3), and its files.
// The `lrpseg explain` command over cases is analysis/explain_run.h.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "attribution/attribution.h"
#include "data/preprocess.h"
#include "io/isles.h"
#include "lrp/composite.h"
#include "lrp/precision_check.h"
#include "lrp/relevance.h"
#include "model/unet.h"

namespace lrpseg {

// What explains a case: LRP with the LrpOptions' filters (when `methods` has
// Lrp), and each other method as one more sample of the batch, named after it
// (so files are relevance_<method>.nii.gz and every analysis treats it like a filter).
struct MethodOptions {
  std::vector<Method> methods{Method::Lrp};
  AttributionOptions attribution;
  // The methods other than LRP run in this precision (their maps are converted
  // to LRP's): gradients do not cancel like z+ relevance, and float64
  // convolutions with autograd are ~20x slower (integrated gradients at width 8:
  // 6.6 s float32, 150 s float64).
  Precision precision = Precision::Float;

  bool has(Method method) const {
    return std::find(methods.begin(), methods.end(), method) != methods.end();
  }
};

// The same explanation in the other precision, and how far it is from the first.
struct PrecisionCheck {
  Precision precision = Precision::Float;  // the other precision
  Explanation explanation;
  // Per filter: the float32 relevance against the float64 one, at network size.
  std::vector<RelevanceAgreement> agreement;
  double seconds = 0;
};

// One case explained: the batched relevance of K filters at network size and at
// the case grid, with the prediction it explains.
struct CaseExplanation {
  CaseVolumes volumes;                  // raw image (6, D, H, W), OT, geometry
  torch::Tensor input;                  // (6, d, h, w) preprocessed network input
  torch::Tensor prediction;             // (D, H, W) uint8 lesion mask at the case grid
  double dice = -1;                     // -1 without OT
  Explanation explanation;              // relevance (K, 6, d, h, w) at network size, Σ R, max|R|
  torch::Tensor case_index;             // (D, H, W): nearest_index_map network → case grid
  double seconds = 0;                   // forward + relevance pass
  std::optional<PrecisionCheck> check;  // with check_precision
};

// With check_precision, also explains in the other precision (health figures
// recorded in both) and compares.
CaseExplanation explain_case(UNet& net, const CaseFiles& files, const PreprocessOptions& pre,
                             const LrpOptions& lrp, bool check_precision = false,
                             const MethodOptions& methods = {});

// Relevance of filter (batch sample) k at the case grid, (6, D, H, W): the
// network-size map nearest-resized, gathered through case_index on demand (16
// filters × 6 channels of a 1.3 M-voxel case would hold 1 GB in float64).
torch::Tensor case_grid_relevance(const CaseExplanation& c, int64_t k);

// The explanation restricted to `filters` (names as in explanation.filters), in
// that order, without the precision check; nullopt when one is missing. Lets a
// figure reuse a sweep's batch instead of explaining the case again.
std::optional<CaseExplanation> select_filters(const CaseExplanation& c,
                                              const std::vector<std::string>& filters);

// The methods other than LRP with their parameters and precision, for
// summary.json (null when LRP is the only method).
nlohmann::json describe(const MethodOptions& methods);

// LRP and the other methods of `methods` on x (1, C, D, H, W): LRP in
// lrp.precision, the others in methods.precision; the maps in lrp.precision.
Explanation explain_methods(UNet& net, const torch::Tensor& x, const LrpOptions& lrp,
                            const MethodOptions& methods);

// Writes a case's files into `dir` (layout in analysis/explain_run.h), with
// `extra` merged into summary.json; returns the summary.
nlohmann::json write_case_explanation(const CaseExplanation& c, const std::string& dir,
                                      const LrpOptions& lrp, bool native,
                                      const nlohmann::json& extra = nlohmann::json::object());

// "pass:0-0.2" → "pass_0-0.2", usable in file names.
std::string filter_file_tag(const std::string& filter);

}  // namespace lrpseg
