#include "model/memory_estimate.h"

#include <cstdio>
#include <set>

#include "util/error.h"

namespace lrpseg {

int64_t recorded_bytes(const Trace& trace) {
  std::set<const void*> seen;
  int64_t total = 0;
  auto add = [&](const torch::Tensor& t) {
    if (!t.defined() || !t.has_storage()) return;
    if (!seen.insert(t.storage().data()).second) return;
    total += static_cast<int64_t>(t.storage().nbytes());
  };
  add(trace.input);
  add(trace.output);
  for (const TraceStep& s : trace.steps) {
    add(s.input);
    add(s.companion);
    add(s.indices);
    add(s.pooled);
  }
  return total;
}

int64_t activation_bytes(UNet& net, std::array<int64_t, 3> size_dhw) {
  const std::array<int64_t, 3> reference{8, 16, 16};
  const torch::Tensor weight = net->parameters().front();
  torch::NoGradGuard no_grad;
  const bool training = net->is_training();
  net->eval();
  Trace trace;
  net->forward(
      torch::zeros({1, net->options().in_channels, reference[0], reference[1], reference[2]},
                   weight.options()),
      &trace);
  net->train(training);
  const double scale = double(size_dhw[0]) * double(size_dhw[1]) * double(size_dhw[2]) /
                       double(reference[0] * reference[1] * reference[2]);
  const double bytes = double(recorded_bytes(trace)) * scale;
  return bytes < 9.0e18 ? static_cast<int64_t>(bytes) : int64_t{9000000000000000000};
}

void check_fits_in_memory(int64_t needed, int64_t available, const std::string& option,
                          const std::string& what) {
  if (available < 0 || needed <= available) return;
  char text[160];
  std::snprintf(text, sizeof text, " needs at least %.1f GiB, more than the %.1f GiB available",
                needed / double(int64_t{1} << 30), available / double(int64_t{1} << 30));
  throw UsageError(option + ": " + what + text);
}

}  // namespace lrpseg
