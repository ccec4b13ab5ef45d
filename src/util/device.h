#pragma once
// Where tensors are computed: `--device cpu|cuda[:N]` (train, segment, explain, sweep,
// evaluate, bench, demo, experiment). Models are moved to the device once they are
// loaded; inputs follow the model; what is written or measured comes back to the CPU.
#include <torch/torch.h>

#include <functional>
#include <string>

namespace lrpseg {

// "cpu", "cuda" or "cuda:N"; plain "cuda" is GPU LOCAL_RANK mod the GPU count in a
// multi-process job (one rank per GPU, as torchrun places them), else GPU 0. Refuses,
// naming `option`: other text, and a CUDA device this LibTorch or this machine does not
// have (Debian's LibTorch is CPU-only).
torch::Device parse_device(const std::string& text, const std::string& option = "--device");

// "cpu" or "cuda:N" (summaries, benchmarks).
std::string device_name(const torch::Device& device);

// Waits for the device's queued work, so that a timing covers it (CUDA runs asynchronously).
void synchronize(const torch::Device& device);

// Wall time of run() in seconds, the device's queued work included (the benchmarks' clock).
double timed_seconds(const std::function<void()>& run, const torch::Device& device);

// Mixed precision for training: inside its scope, CUDA matmuls and convolutions run in
// bfloat16 (LibTorch's autocast); weights, optimiser state and the loss stay float32.
// Only for CUDA: parse_amp refuses it on another device.
class BFloat16Autocast {
 public:
  explicit BFloat16Autocast(bool enabled);
  ~BFloat16Autocast();
  BFloat16Autocast(const BFloat16Autocast&) = delete;
  BFloat16Autocast& operator=(const BFloat16Autocast&) = delete;

 private:
  bool enabled_;
  bool was_enabled_ = false;
};

// Refuses --amp on a device other than CUDA (one line naming both options).
void check_amp(bool amp, const torch::Device& device);

}  // namespace lrpseg
