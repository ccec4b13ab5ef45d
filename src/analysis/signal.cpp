#include "analysis/signal.h"

namespace lrpseg {

ChannelSignal normalised_signal(const torch::Tensor& relevance, bool per_channel_max,
                                const torch::Tensor& copies) {
  auto r = relevance.reshape({relevance.size(0), -1});
  auto max = per_channel_max ? std::get<0>(r.abs().max(1)).to(torch::kFloat64)
                             : r.abs().max().to(torch::kFloat64).expand({r.size(0)});
  // Σ R_c / max equals Σ (R_c / max) and needs no normalised copy. LibTorch sums
  // float32 pairwise, accurate to ~1e-7 relative over millions of voxels and
  // 30x faster than a float64 sum.
  // Copy-weighted sums are taken in float64.
  auto sum =
      copies.defined() ? (r.to(torch::kFloat64) * copies).sum(1) : r.sum(1).to(torch::kFloat64);
  const double voxels =
      copies.defined() ? copies.sum().item<double>() : static_cast<double>(r.size(1));
  auto area = torch::where(max > 0, sum / max, torch::zeros_like(sum));
  return {area / voxels, area};
}

}  // namespace lrpseg
