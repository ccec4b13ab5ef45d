#pragma once

namespace lrpseg {

// Sets LibTorch's intra-op threads and OpenBLAS's own pool (which LibTorch
// does not configure) to `threads`; 0 means all cores. Returns the count used.
int configure_threads(int threads);

}  // namespace lrpseg
