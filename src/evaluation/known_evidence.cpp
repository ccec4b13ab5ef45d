#include "evaluation/known_evidence.h"

#include "util/error.h"

namespace lrpseg {

EvidenceShares evidence_shares(const torch::Tensor& relevance, const std::vector<int>& evidence,
                               const torch::Tensor& ot) {
  if (relevance.dim() != 4) throw Error("evidence_shares: expects (C, D, H, W)");
  torch::Tensor in_evidence = torch::zeros({relevance.size(0)}, torch::kBool);
  for (int c : evidence) {
    if (c < 0 || c >= relevance.size(0)) throw Error("evidence_shares: channel out of range");
    in_evidence[c] = true;
  }
  const torch::Tensor r = relevance.to(torch::kDouble);
  const torch::Tensor abs_per_channel = r.abs().sum({1, 2, 3});
  const torch::Tensor positive_per_channel = r.clamp_min(0).sum({1, 2, 3});
  auto share = [&](const torch::Tensor& per_channel) -> std::optional<double> {
    const double total = per_channel.sum().item<double>();
    if (total <= 0) return std::nullopt;
    return (per_channel * in_evidence).sum().item<double>() / total;
  };
  EvidenceShares s;
  s.abs_share = share(abs_per_channel);
  s.positive_share = share(positive_per_channel);
  const double total = abs_per_channel.sum().item<double>();
  if (ot.defined() && total > 0) {
    const torch::Tensor inside = (r.abs() * ot.ne(0).unsqueeze(0)).sum({1, 2, 3});
    s.ot_share = (inside * in_evidence).sum().item<double>() / total;
  }
  return s;
}

}  // namespace lrpseg
