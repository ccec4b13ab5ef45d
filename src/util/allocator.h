#pragma once

namespace lrpseg {

// Keeps freed tensor buffers in the process instead of returning them to the
// kernel. glibc's defaults serve each large tensor with a fresh mmap and unmap
// it on free, so every layer of every step pays page faults to zero new pages:
// a width-32 training step spent about 40% of its time in the kernel. Returns
// false where the allocator refused a setting (the defaults then stay).
bool keep_freed_memory();

}  // namespace lrpseg
