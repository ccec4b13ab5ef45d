#pragma once
// `lrpseg bench train`: seconds per training step (forward, backward, Adam
// update; batch 1) of the U-Net on random data, as the paper's training runs it.
#include <torch/torch.h>

#include <array>
#include <string>

namespace lrpseg {

struct TrainBenchOptions {
  int64_t width = 32;
  std::array<int64_t, 3> size_dhw{19, 48, 48};
  int threads = 0;
  int repeat = 5;  // timed steps after one warm-up step
  torch::Device device = torch::kCPU;
  bool amp = false;  // bfloat16 autocast (CUDA)
};

struct TrainBenchResult {
  TrainBenchOptions options;
  int threads = 0;                 // threads actually used
  double step_seconds_median = 0;  // per training step
  double step_seconds_min = 0;
  double forward_seconds_median = 0;  // inference forward (eval, no grad)
};

TrainBenchResult run_train_benchmark(const TrainBenchOptions& options);
std::string to_text(const TrainBenchResult& result);
std::string to_json(const TrainBenchResult& result);

}  // namespace lrpseg
