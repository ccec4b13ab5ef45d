#pragma once
// `lrpseg bench lrp`: forward, one explanation and a K-filter sweep (batched and
// as K separate runs), measured in one run on the same random input and random
// U-Net, plus the peak memory of a forward that keeps its activations and of
// one explanation, each measured in a forked child.
#include <array>
#include <cstdint>
#include <ostream>
#include <string>

#include "lrp/composite.h"
#include "model/unet.h"

namespace lrpseg {

struct LrpBenchOptions {
  int64_t width = 32;                           // the paper's U-Net
  std::array<int64_t, 3> size_dhw{19, 48, 48};  // series A
  int threads = 0;                              // 0: leave torch's setting alone
  int repeat = 3;                               // timings: median (and min) of this many
  int sweep = 16;                               // K of the sweep (the paper's 16 filters)
  Precision precision = Precision::Float;       // of every figure but explain_other_s
  uint64_t seed = 0;
  int64_t max_memory_bytes = 0;        // the sweep's bound (LrpOptions; 0: 80 % of available)
  int max_batch = 0;                   // the sweep's filters per pass at most (0: what fits)
  torch::Device device = torch::kCPU;  // peak memory is measured on the CPU only
};

struct LrpBenchResult {
  LrpBenchOptions options;
  int threads = 0;
  int64_t parameters = 0;
  double gflop_forward = 0;                 // convolutions only, 2 FLOP per multiply-add
  double forward_s = 0, forward_min_s = 0;  // plain forward (inference)
  double forward_traced_s = 0;              // forward keeping activations
  double explain_s = 0, explain_min_s = 0;  // forward + relevance, 1 filter
  double explain_other_s = 0;               // the same in the other precision
  double sweep_batched_s = 0, sweep_batched_min_s = 0;  // forward + K-batched relevance
  double sweep_separate_s = 0;                          // K separate explanations
  double peak_forward_mb = -1, peak_explain_mb = -1, peak_sweep_mb = -1;  // −1: unmeasured
  int64_t sweep_batch = 0;  // filters per relevance pass the sweep used
  // lrp/memory_budget.h's estimates: the recorded forward, and one more filter.
  double estimated_record_mb = 0, estimated_per_filter_mb = 0;

  double explain_over_forward() const { return explain_s / forward_s; }
  // float64 explanation / float32 explanation, whichever is the main precision.
  double double_over_float() const;
  double batched_over_separate() const { return sweep_batched_s / sweep_separate_s; }
  double peak_explain_over_forward() const { return peak_explain_mb / peak_forward_mb; }
};

// Random network of the paper's shape in eval mode, with BatchNorm statistics
// that are not the identity, so a benchmark does the work a trained network would.
UNet random_unet(int64_t width, uint64_t seed);

// Progress lines ("forward …") go to `log` when given.
LrpBenchResult run_lrp_benchmark(const LrpBenchOptions& options, std::ostream* log = nullptr);

std::string to_text(const LrpBenchResult& result);
std::string to_json(const LrpBenchResult& result);  // one JSON object, one line; null: unmeasured

}  // namespace lrpseg
