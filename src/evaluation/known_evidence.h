#pragma once
// Known-evidence metrics (issue 11): on data whose lesion signal lives only in
// some modalities (`lrpseg synth --evidence`), how much of the relevance an
// explanation puts on those modalities. A map that follows the network's
// evidence should score near 1; chance is |evidence| / C.
#include <torch/torch.h>

#include <optional>
#include <vector>

namespace lrpseg {

struct EvidenceShares {
  std::optional<double> abs_share;       // Σ_{c∈E} |R_c| / Σ_c |R_c|
  std::optional<double> positive_share;  // the same for R⁺ = max(R, 0)
  std::optional<double> ot_share;        // Σ_{c∈E} |R_c| inside OT / Σ_c |R_c|
};

// relevance (C, D, H, W); evidence: channel indices; ot (D, H, W) or undefined.
// A share is undefined when its denominator is 0 (or, for ot_share, without OT).
EvidenceShares evidence_shares(const torch::Tensor& relevance, const std::vector<int>& evidence,
                               const torch::Tensor& ot);

}  // namespace lrpseg
