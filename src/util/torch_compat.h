#pragma once
// The LibTorch API differences between Debian's LibTorch 1.13 (CPU; CI) and the
// LibTorch 2.x of a CUDA PyTorch (scripts/gpu-check.sh), in one place.
#include <torch/torch.h>

#include <sstream>
#include <string>
#include <type_traits>
#include <variant>

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

// The alternative T of a torch::nn option's variant, or nullptr: the options hold a
// c10::variant in LibTorch 1.x and a std::variant in 2.x.
template <typename T, typename Variant>
const T* variant_alternative(const Variant& variant) {
  using std::get_if;  // 2.x; for 1.x's c10::variant, argument-dependent lookup finds c10::get_if
  return get_if<T>(&variant);
}

// Turns off the libuv server of c10d's TCPStore where the options have the switch
// (LibTorch 2.4+ defaults to libuv, which builds without it refuse, e.g. Debian 13's
// 2.6); 1.x has only the classic server. Returns whether there was a switch to turn.
template <typename StoreOptions>
auto disable_libuv_store(StoreOptions& options, int) -> decltype(options.useLibUV = false, bool()) {
  const bool was_on = options.useLibUV;
  options.useLibUV = false;
  return was_on;
}
template <typename StoreOptions>
bool disable_libuv_store(StoreOptions&, long) {
  return false;
}
template <typename StoreOptions>
bool disable_libuv_store(StoreOptions& options) {
  return disable_libuv_store(options, 0);
}

// CUDA autocast on or off, in bfloat16 (LibTorch 2.4 replaced the CUDA-only calls
// with per-device ones and deprecated the old).
bool cuda_autocast_enabled();
void set_cuda_autocast(bool enabled);
// The same on the CPU (bfloat16 there too); tests use it.
void set_cpu_autocast(bool enabled);

}  // namespace lrpseg
