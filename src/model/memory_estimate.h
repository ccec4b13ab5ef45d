#pragma once
// What a network's forward keeps in memory, known before any case is read, so
// that an absurd input size is refused with the estimate instead of ending in
// an out-of-memory kill.
#include <array>
#include <cstdint>
#include <string>

#include "model/trace.h"
#include "model/unet.h"

namespace lrpseg {

// Bytes of the tensors a recorded forward keeps (each storage counted once).
int64_t recorded_bytes(const Trace& trace);

// Bytes per sample of the activations a forward of `net` keeps at input
// `size_dhw` in `net`'s precision: what autograd saves for training's backward
// and LRP records. From a recorded forward at 8x16x16, scaled by the voxel
// count (every activation grows with it).
int64_t activation_bytes(UNet& net, std::array<int64_t, 3> size_dhw);

// Throws lrpseg::UsageError naming `option` and both figures when `needed`
// bytes exceed what is available now (`available` < 0: unknown, no check).
void check_fits_in_memory(int64_t needed, int64_t available, const std::string& option,
                          const std::string& what);

}  // namespace lrpseg
