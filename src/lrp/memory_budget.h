#pragma once
// How many filter settings one relevance pass can carry within a memory bound.
// The recorded forward is held once; each filter sample adds its own relevance
// tensors, whose peak is estimated from the trace's shapes by following the
// backward walk (the skip pieces waiting at encoder forks, the step's incoming
// relevance, its messages and their temporaries).
#include <cstdint>
#include <string>

#include "model/memory_estimate.h"
#include "model/trace.h"
#include "util/memory.h"

namespace lrpseg {

// Upper estimate of the bytes one more sample of the relevance batch adds at
// the pass's peak, for elements of `element_size` bytes.
int64_t relevance_bytes_per_sample(const Trace& trace, int64_t element_size);

// Relevance bytes per pass above which a larger batch gets slower, not faster
// (measured: paper-B, width 32, 19x96x96, float32, 16 filters: batch 16, 8.8 GB
// of relevance, 105 s; batch 4, 2.2 GB, 51 s; paper-A batch 16, 2.2 GB, 0.43x
// the separate runs): the batch's tensors stop fitting the memory system's
// sweet spot and every elementwise pass over them pays for it.
inline constexpr int64_t kFastPassBytes = int64_t{5} << 29;  // 2.5 GiB

// The number of the `filters` settings per pass: as many as fit in
// `budget_bytes` next to the recorded forward, and no more than keep the pass's
// relevance within kFastPassBytes; in [1, filters]. Throws lrpseg::UsageError
// naming --max-memory, with the estimate, when not even one fits.
int64_t filter_batch_within(const Trace& trace, int64_t filters, int64_t element_size,
                            int64_t budget_bytes);

// The default bound: 80 % of the memory available now (8 GiB where unknown).
int64_t default_memory_budget();

}  // namespace lrpseg
