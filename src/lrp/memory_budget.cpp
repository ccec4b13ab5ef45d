#include "lrp/memory_budget.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>
#include <vector>

#include "util/error.h"

namespace lrpseg {

namespace {

int64_t numel(const std::vector<int64_t>& shape_without_batch) {
  int64_t n = 1;
  for (int64_t d : shape_without_batch) n *= d;
  return n;
}

// Elements per sample of tensor `id` (the batch dimension left out).
int64_t sample_elements(const Trace& trace, int id) {
  const std::vector<int64_t>& shape = trace.shapes[id];
  return numel(std::vector<int64_t>(shape.begin() + 1, shape.end()));
}

std::string gigabytes(int64_t bytes) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(2) << bytes / double(1LL << 30) << " GB";
  return s.str();
}

}  // namespace

int64_t relevance_bytes_per_sample(const Trace& trace, int64_t element_size) {
  // Mirrors lrp/relevance.cpp's walk: a tensor's relevance lives from its first
  // message until the step that consumes it; a fork holds the messages that
  // arrived until its last reader delivers.
  const int steps = static_cast<int>(trace.steps.size());
  std::vector<int> readers(trace.shapes.size(), 0), delivered(trace.shapes.size(), 0);
  for (const TraceStep& s : trace.steps)
    for (int in : s.inputs) ++readers[in];
  std::vector<int64_t> alive(trace.shapes.size(), 0);
  alive[trace.output_id] = sample_elements(trace, trace.output_id);
  int64_t peak = alive[trace.output_id];
  for (int s = steps - 1; s >= 0; --s) {
    const TraceStep& step = trace.steps[s];
    int64_t held = 0;
    for (int64_t a : alive) held += a;
    // The messages, plus for each a temporary of its size (a second term's
    // adjoint, a filter's mask) and the merge's copy at a fork.
    int64_t messages = 0;
    for (int in : step.inputs) messages += sample_elements(trace, in);
    peak = std::max(peak, held + 3 * messages);
    const int64_t consumed = alive[step.output];
    alive[step.output] = 0;
    for (int in : step.inputs) {
      alive[in] += sample_elements(trace, in);
      if (++delivered[in] == readers[in] && readers[in] > 1) alive[in] = sample_elements(trace, in);
    }
    // A concat's upsampled piece is a view: it keeps the whole incoming relevance alive.
    if (step.kind == LayerKind::Concat) alive[step.inputs.back()] += consumed;
  }
  return peak * element_size;
}

int64_t filter_batch_within(const Trace& trace, int64_t filters, int64_t element_size,
                            int64_t budget_bytes) {
  const int64_t fixed = recorded_bytes(trace);
  const int64_t per_sample = relevance_bytes_per_sample(trace, element_size);
  const int64_t fit = per_sample > 0 ? (budget_bytes - fixed) / per_sample : filters;
  if (fit < 1) {
    throw UsageError("--max-memory " + gigabytes(budget_bytes) +
                     " is too small for this input: " + "the recorded forward holds " +
                     gigabytes(fixed) + " and one filter's " + "relevance needs about " +
                     gigabytes(per_sample) + " more (total " + gigabytes(fixed + per_sample) + ")");
  }
  const int64_t fast = std::max<int64_t>(1, kFastPassBytes / std::max<int64_t>(per_sample, 1));
  return std::min({fit, fast, filters});
}

int64_t default_memory_budget() {
  const int64_t available = available_memory_bytes();
  return available > 0 ? available / 10 * 8 : (8LL << 30);
}

}  // namespace lrpseg
