#include "util/threads.h"

#include <dlfcn.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstdlib>
#include <set>
#include <string>
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

void reexec_with_passive_openmp(int argc, char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || argc < 2) return;
  static const std::set<std::string> computing{
      "train", "segment", "explain", "sweep", "figure", "evaluate", "demo", "experiment", "bench"};
  if (computing.count(argv[1]) == 0) return;
  if (setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0) return;
  execv("/proc/self/exe", argv);
  // No re-execution (no /proc): carry on with the policy already in force.
}

const char* openmp_wait_policy() {
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  return policy != nullptr ? policy : "default";
}

std::string openblas_core() {
  using CoreName = char* (*)();
  if (auto name = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"))) {
    if (const char* core = name()) return core;
  }
  return "none";
}

}  // namespace lrpseg
