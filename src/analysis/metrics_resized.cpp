// channel_metrics_batch of a nearest-resized relevance map, computed on the
// network grid with per-voxel copy counts (see metrics.h).
#include "analysis/inclusivity.h"
#include "analysis/metrics.h"
#include "analysis/signal.h"
#include "util/error.h"

namespace lrpseg {

namespace {

// For each network voxel, the sum of `values` (D, H, W) over the case voxels
// that copy it: (n) float64.
torch::Tensor per_source(const torch::Tensor& flat_index, const torch::Tensor& values, int64_t n) {
  return torch::bincount(flat_index, values.reshape({-1}).to(torch::kDouble), n);
}

void check_shapes(const torch::Tensor& relevance, const torch::Tensor& index,
                  const torch::Tensor& raw_input, const torch::Tensor& ot) {
  if (relevance.dim() != 5 || relevance.size(1) != raw_input.size(0)) {
    throw Error("channel_metrics: relevance must be (K, C, d, h, w) with the input's channels");
  }
  if (index.dim() != 3 || index.sizes() != raw_input.sizes().slice(1)) {
    throw Error("channel_metrics: the index map must have the input's case grid");
  }
  if (ot.defined() && ot.sizes() != index.sizes()) {
    throw Error("channel_metrics: the ground truth grid differs from the input grid");
  }
}

}  // namespace

std::vector<std::vector<ChannelMetrics>> channel_metrics_resized(const torch::Tensor& relevance,
                                                                 const torch::Tensor& index,
                                                                 const torch::Tensor& raw_input,
                                                                 const torch::Tensor& ot,
                                                                 const MetricOptions& o) {
  check_shapes(relevance, index, raw_input, ot);
  const int64_t channels = relevance.size(1);
  const int64_t n = relevance.size(2) * relevance.size(3) * relevance.size(4);
  const torch::Tensor flat = index.reshape({-1}).to(torch::kLong).contiguous();
  if (flat.numel() > 0 && (flat.min().item<int64_t>() < 0 || flat.max().item<int64_t>() >= n)) {
    throw Error("channel_metrics: the index map points outside the relevance grid");
  }
  const torch::Tensor copies = torch::bincount(flat, {}, n).to(torch::kDouble);
  const torch::Tensor absent = copies == 0;  // network voxels no case voxel copies

  const torch::Tensor input_mask = amplitude_mask(raw_input, o.input_threshold);
  std::vector<torch::Tensor> input_rows;
  for (int64_t c = 0; c < channels; ++c) input_rows.push_back(per_source(flat, input_mask[c], n));
  const torch::Tensor input_per_source = torch::stack(input_rows);  // (C, n)
  const torch::Tensor input_size = input_per_source.sum(1).cpu();
  torch::Tensor ot_per_source;
  double ot_size = 0;
  if (ot.defined()) {
    ot_per_source = per_source(flat, ot.to(torch::kBool), n);
    ot_size = ot_per_source.sum().item<double>();
  }

  std::vector<std::vector<ChannelMetrics>> all;
  for (int64_t k = 0; k < relevance.size(0); ++k) {
    const torch::Tensor r = relevance[k].reshape({channels, n}).masked_fill(absent, 0);
    const torch::Tensor a = amplitude_mask(r, o.relevance_threshold).to(torch::kDouble);
    const torch::Tensor input_overlap = (a * input_per_source).sum(1).cpu();
    torch::Tensor ot_overlap;
    if (ot.defined()) ot_overlap = (a * ot_per_source).sum(1).cpu();
    const ChannelSignal signal = normalised_signal(r, o.per_channel_signal_max, copies);
    const torch::Tensor mean = signal.mean.cpu(), area = signal.area.cpu();
    std::vector<ChannelMetrics> metrics(channels);
    for (int64_t c = 0; c < channels; ++c) {
      ChannelMetrics& m = metrics[c];
      m.input_inclusivity = inclusivity_coefficient(input_overlap[c].item<double>(),
                                                    input_size[c].item<double>(), o.smoothing);
      if (ot.defined())
        m.gt_inclusivity =
            inclusivity_coefficient(ot_overlap[c].item<double>(), ot_size, o.smoothing);
      m.mean_signal = mean[c].item<double>();
      m.area_signal = area[c].item<double>();
    }
    all.push_back(std::move(metrics));
  }
  return all;
}

}  // namespace lrpseg
