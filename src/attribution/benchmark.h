#pragma once
// `lrpseg bench attribution`: the baseline methods' time as a multiple of one
// forward pass, measured in one run on the same random U-Net and input as
// `bench lrp` (issue targets: integrated gradients with 32 steps ≤ 70×,
// occlusion 1x8x8 ≤ 400×).
#include <array>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "attribution/attribution.h"

namespace lrpseg {

struct AttributionBenchOptions {
  int64_t width = 32;
  std::array<int64_t, 3> size_dhw{19, 48, 48};
  int threads = 0;
  torch::Device device = torch::kCPU;
  Precision precision = Precision::Float;
  std::vector<Method> methods{Method::Gradient, Method::IntegratedGradients};
  AttributionOptions attribution;
  uint64_t seed = 0;
  // The network input (1, 6, D, H, W) at size_dhw, e.g. a preprocessed case, so
  // that data-dependent costs (occlusion skips patches that are already zero)
  // are measured on real volumes; undefined: uniform random voxels.
  torch::Tensor input;
  std::string input_name = "random";
};

struct AttributionBenchResult {
  AttributionBenchOptions options;
  int threads = 0;
  double forward_s = 0;                            // plain forward, median of 3
  std::vector<std::pair<Method, double>> seconds;  // one run per method

  std::string to_text() const;
  std::string to_json() const;
};

AttributionBenchResult run_attribution_benchmark(const AttributionBenchOptions& options,
                                                 std::ostream* log = nullptr);

}  // namespace lrpseg
