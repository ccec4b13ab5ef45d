#include "util/device.h"

#include <ATen/autocast_mode.h>
#include <torch/cuda.h>

#include <chrono>
#include <cstdlib>

#include "util/error.h"
#include "util/torch_compat.h"

namespace lrpseg {

torch::Device parse_device(const std::string& text, const std::string& option) {
  const std::string named = " '" + text + "'";
  if (text == "cpu") return torch::Device(torch::kCPU);
  int64_t index = -1;
  if (text.rfind("cuda:", 0) == 0) {
    const std::string digits = text.substr(5);
    if (digits.empty() || digits.size() > 3 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      throw_option_error(option, named + ": expected cpu, cuda or cuda:N with a device number N");
    }
    index = std::stoll(digits);
  } else if (text != "cuda") {
    throw_option_error(option, named + ": expected cpu, cuda or cuda:N");
  }
  if (!torch::cuda::is_available()) {
    throw_option_error(option, named +
                                   ": this LibTorch has no CUDA or finds no GPU (Debian's "
                                   "libtorch is CPU-only; the README's section Scaling says how "
                                   "to build against a CUDA LibTorch)");
  }
  const auto count = static_cast<int64_t>(torch::cuda::device_count());
  if (index < 0) {  // plain "cuda": one GPU per local rank, as torchrun jobs place them
    const char* local_rank = std::getenv("LOCAL_RANK");
    index = local_rank != nullptr ? std::atoll(local_rank) % count : 0;
  }
  if (index >= count) {
    throw_option_error(option, named + ": this machine has " + std::to_string(count) +
                                   " CUDA device" + (count == 1 ? "" : "s"));
  }
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

std::string device_name(const torch::Device& device) { return device.str(); }

void synchronize(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.has_index() ? device.index() : -1);
}

double timed_seconds(const std::function<void()>& run, const torch::Device& device) {
  synchronize(device);
  const auto start = std::chrono::steady_clock::now();
  run();
  synchronize(device);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

BFloat16Autocast::BFloat16Autocast(bool enabled) : enabled_(enabled) {
  if (!enabled_) return;
  was_enabled_ = cuda_autocast_enabled();
  set_cuda_autocast(true);
  at::autocast::increment_nesting();
}

BFloat16Autocast::~BFloat16Autocast() {
  if (!enabled_) return;
  // Leaving the outermost scope drops the cached bfloat16 copies of the weights.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_cuda_autocast(was_enabled_);
}

void check_amp(bool amp, const torch::Device& device) {
  if (amp && !device.is_cuda()) {
    throw UsageError("--amp: bfloat16 autocast is for CUDA; give --device cuda (this run uses " +
                     device_name(device) + ")");
  }
}

}  // namespace lrpseg
