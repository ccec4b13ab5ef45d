#pragma once
// `lrpseg explain`: relevance heatmaps of a trained checkpoint on cases, one
// batched relevance pass per case over all requested filters (DESIGN.md §3).
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "io/isles.h"
#include "lrp/composite.h"

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
