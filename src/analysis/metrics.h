#pragma once
// The per-channel numbers of one relevance map (DESIGN.md §4): ground-truth and
// input inclusivity (Tjoa et al. eq. 2, Fig. 3) and the mean normalised signal
// (eq. 3, Fig. 5 D1) with its area variant. Every default lives here.
#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

namespace lrpseg {

struct MetricOptions {
  double relevance_threshold = 0.5;     // a = [ |R_c| / max|R_c| > 0.5 ]
  double input_threshold = 0.1;         // input inclusivity: b = [ |x_c| / max|x_c| > 0.1 ], raw x
  double smoothing = 0.0;               // s in D(a, b) = |a ∩ b| / (|b| + s)
  bool per_channel_signal_max = false;  // mean signal: R_c / max|R| (all channels) or / max|R_c|
};

// "relevance_threshold = 0.5" etc., one per line, for logs and the report.
std::string describe(const MetricOptions& options);

struct ChannelMetrics {
  std::optional<double> gt_inclusivity;     // D(a, OT); nullopt without OT or when |OT| + s == 0
  std::optional<double> input_inclusivity;  // D(a, b_c); nullopt when |b_c| + s == 0
  double mean_signal = 0;                   // <W_c>
  double area_signal = 0;                   // A[W_c]
};

// relevance (C, D, H, W) at the case grid, raw input (C, D, H, W), ot (D, H, W)
// or undefined; one entry per channel.
std::vector<ChannelMetrics> channel_metrics(const torch::Tensor& relevance,
                                            const torch::Tensor& raw_input, const torch::Tensor& ot,
                                            const MetricOptions& options);

// The same for K relevance maps of one case (K, C, D, H, W), e.g. one per filter
// of a batched sweep; the input and ground-truth masks are computed once.
std::vector<std::vector<ChannelMetrics>> channel_metrics_batch(const torch::Tensor& relevance,
                                                               const torch::Tensor& raw_input,
                                                               const torch::Tensor& ot,
                                                               const MetricOptions& options);

// channel_metrics_batch of `relevance` (K, C, d, h, w) nearest-resized to the
// case grid, without resizing it: `index` (D, H, W) is nearest_index_map from
// (d, h, w) to the case grid. Every case voxel is a copy of one network voxel,
// so each count and sum is a network-grid sum weighted by how many case voxels
// (ground-truth voxels, input-mask voxels) copy that voxel — the same numbers
// (counts exactly) at (d·h·w)/(D·H·W) of the work. Network voxels that no case
// voxel copies take no part, as they are absent from the resized map.
std::vector<std::vector<ChannelMetrics>> channel_metrics_resized(const torch::Tensor& relevance,
                                                                 const torch::Tensor& index,
                                                                 const torch::Tensor& raw_input,
                                                                 const torch::Tensor& ot,
                                                                 const MetricOptions& options);

}  // namespace lrpseg
