#pragma once
// `lrpseg explain`: relevance heatmaps of a trained checkpoint on cases, one
// batched relevance pass per case over all requested filters (DESIGN.md §3).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/preprocess.h"
#include "io/isles.h"
#include "lrp/composite.h"
#include "lrp/relevance.h"
#include "model/unet.h"

namespace lrpseg {

struct ExplainOptions {
  std::string model_dir;
  std::string out_dir;
  std::vector<CaseFiles> cases;
  LrpOptions lrp;       // rules, target, filters (K settings → one batch)
  bool native = false;  // also write network-size relevance and input
  int threads = 0;
  bool quiet = false;
};

// One case explained: the batched relevance of K filters at network size and at
// the case grid, with the prediction it explains.
struct CaseExplanation {
  CaseVolumes volumes;           // raw image (6, D, H, W), OT, geometry
  torch::Tensor input;           // (6, d, h, w) preprocessed network input
  torch::Tensor prediction;      // (D, H, W) uint8 lesion mask at the case grid
  double dice = -1;              // -1 without OT
  Explanation explanation;       // relevance (K, 6, d, h, w) at network size, Σ R, max|R|
  torch::Tensor case_relevance;  // (K, 6, D, H, W): nearest-resized to the case grid
  double seconds = 0;            // forward + relevance pass
};

CaseExplanation explain_case(UNet& net, const CaseFiles& files, const PreprocessOptions& pre,
                             const LrpOptions& lrp);

// Writes a case's files (layout below) into `dir`; returns its summary.
nlohmann::json write_case_explanation(const CaseExplanation& c, const std::string& dir,
                                      const LrpOptions& lrp, bool native);

// "pass:0-0.2" → "pass_0-0.2", usable in file names.
std::string filter_file_tag(const std::string& filter);

// Per case, under OUT/<case>/:
//   relevance_<filter>.nii.gz         4-D float32 (one volume per modality), case grid and geometry
//   native/relevance_<filter>.nii.gz  with --native: network-size relevance
//   native/input.nii.gz               with --native: the network input it explains
//   prediction.nii.gz                 the lesion mask at the case grid (uint8)
//   summary.json                      Dice, per-filter max|R| per channel, Σ R, seconds
// Returns the summaries.
std::vector<nlohmann::json> explain_cases(const ExplainOptions& options);

}  // namespace lrpseg
