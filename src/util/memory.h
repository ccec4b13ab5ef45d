#pragma once
#include <cstdint>

namespace lrpseg {

// MemAvailable of /proc/meminfo in bytes (−1 where unknown): what a run may
// allocate without pushing the machine into swap or the OOM killer.
int64_t available_memory_bytes();

}  // namespace lrpseg
