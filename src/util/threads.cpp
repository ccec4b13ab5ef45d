#include "util/threads.h"

#include <dlfcn.h>
#include <torch/torch.h>

#include <thread>

namespace lrpseg {

int configure_threads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  // OpenBLAS is found at run time; reference BLAS has no such symbol.
  using SetThreads = void (*)(int);
  if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    set(threads);
  }
  return threads;
}

}  // namespace lrpseg
