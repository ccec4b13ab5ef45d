#include "util/torch_compat.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace lrpseg {

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool cuda_autocast_enabled() { return at::autocast::is_autocast_enabled(at::kCUDA); }
void set_cuda_autocast(bool enabled) {
  at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
  at::autocast::set_autocast_enabled(at::kCUDA, enabled);
}
void set_cpu_autocast(bool enabled) { at::autocast::set_autocast_enabled(at::kCPU, enabled); }
#else
bool cuda_autocast_enabled() { return at::autocast::is_enabled(); }
void set_cuda_autocast(bool enabled) {
  at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
  at::autocast::set_enabled(enabled);
}
void set_cpu_autocast(bool enabled) { at::autocast::set_cpu_enabled(enabled); }
#endif

}  // namespace lrpseg
