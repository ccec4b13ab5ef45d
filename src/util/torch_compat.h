#pragma once
// The LibTorch API differences between Debian's LibTorch 1.13 (CPU; CI) and the
// LibTorch 2.x of a CUDA PyTorch (scripts/gpu-check.sh), in one place.
#include <torch/torch.h>

#include <sstream>
#include <string>
#include <type_traits>

namespace lrpseg {

// The key under which torch::optim keeps a parameter's state: a string of the
// TensorImpl's address in LibTorch 1.x, the address itself in 2.x.
template <typename Optimizer>
auto optimizer_state_key(const Optimizer& optimizer, const torch::Tensor& parameter) {
  using Key = typename std::decay_t<decltype(optimizer.state())>::key_type;
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream address;  // as torch::optim 1.x writes it (c10::guts::to_string)
    address << parameter.unsafeGetTensorImpl();
    return address.str();
  } else {
    return static_cast<Key>(parameter.unsafeGetTensorImpl());
  }
}

// CUDA autocast on or off, in bfloat16 (LibTorch 2.4 replaced the CUDA-only calls
// with per-device ones and deprecated the old).
bool cuda_autocast_enabled();
void set_cuda_autocast(bool enabled);

}  // namespace lrpseg
