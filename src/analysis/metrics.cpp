#include "analysis/metrics.h"

#include <sstream>

#include "analysis/inclusivity.h"
#include "analysis/signal.h"
#include "util/error.h"

namespace lrpseg {

std::string describe(const MetricOptions& o) {
  std::ostringstream out;
  out << "relevance_threshold = " << o.relevance_threshold << "\n"
      << "input_threshold = " << o.input_threshold << "\n"
      << "smoothing = " << o.smoothing << "\n"
      << "signal_max = " << (o.per_channel_signal_max ? "per channel" : "all channels") << "\n";
  return out.str();
}

std::vector<std::vector<ChannelMetrics>> channel_metrics_batch(const torch::Tensor& relevance,
                                                               const torch::Tensor& raw_input,
                                                               const torch::Tensor& ot,
                                                               const MetricOptions& o) {
  if (relevance.dim() != 5 || relevance.sizes().slice(1) != raw_input.sizes()) {
    throw Error(
        "channel_metrics: relevance (K, C, D, H, W) and input (C, D, H, W) must share one grid");
  }
  if (ot.defined() && ot.sizes() != raw_input.sizes().slice(1)) {
    throw Error("channel_metrics: the ground truth grid differs from the input grid");
  }
  const int64_t channels = raw_input.size(0);
  auto input_mask = amplitude_mask(raw_input, o.input_threshold);
  torch::Tensor ot_mask;
  if (ot.defined()) ot_mask = ot.to(torch::kBool);  // broadcasts over the channels
  std::vector<std::vector<ChannelMetrics>> all;
  for (int64_t k = 0; k < relevance.size(0); ++k) {
    auto a = amplitude_mask(relevance[k], o.relevance_threshold);
    auto input_values = inclusivity_per_channel(a, input_mask, o.smoothing);
    std::vector<std::optional<double>> gt_values(channels);
    if (ot.defined()) gt_values = inclusivity_per_channel(a, ot_mask, o.smoothing);
    ChannelSignal signal = normalised_signal(relevance[k], o.per_channel_signal_max);
    auto signal_mean = signal.mean.cpu();
    auto signal_area = signal.area.cpu();
    auto mean = signal_mean.accessor<double, 1>();
    auto area = signal_area.accessor<double, 1>();
    std::vector<ChannelMetrics> metrics(channels);
    for (int64_t c = 0; c < channels; ++c) {
      metrics[c] = {gt_values[c], input_values[c], mean[c], area[c]};
    }
    all.push_back(std::move(metrics));
  }
  return all;
}

std::vector<ChannelMetrics> channel_metrics(const torch::Tensor& relevance,
                                            const torch::Tensor& raw_input, const torch::Tensor& ot,
                                            const MetricOptions& o) {
  if (relevance.dim() != 4) throw Error("channel_metrics: relevance must be (C, D, H, W)");
  return channel_metrics_batch(relevance.unsqueeze(0), raw_input, ot, o)[0];
}

}  // namespace lrpseg
