#include "util/allocator.h"

#include <malloc.h>

#include <climits>

namespace lrpseg {

bool keep_freed_memory() {
  // Buffers below the mmap threshold come from the heap, where free() makes
  // them reusable; −1 turns off trimming of the heap top, which otherwise gave
  // a sweep's gigabytes back after each run only to fault them in again.
  const bool mmap_ok = mallopt(M_MMAP_THRESHOLD, INT_MAX) == 1;
  const bool trim_ok = mallopt(M_TRIM_THRESHOLD, -1) == 1;
  return mmap_ok && trim_ok;
}

}  // namespace lrpseg
