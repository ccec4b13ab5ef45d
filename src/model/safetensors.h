#pragma once
// model.safetensors: the safetensors format (an 8-byte little-endian header
// length, a JSON header naming each tensor's dtype, shape and byte range, then
// the raw little-endian data), readable by the safetensors library in Python,
// Rust and elsewhere without executing anything.
#include <map>
#include <string>

#include "model/torch_save.h"

namespace lrpseg {

// Tensors float32 (F32), float64 (F64) or int64 (I64), written in the given
// order; `metadata` becomes the header's "__metadata__".
std::string safetensors_bytes(const NamedTensors& tensors,
                              const std::map<std::string, std::string>& metadata = {});

// Reads safetensors bytes back, in the header's order of data offsets; errors
// name `source` and what is wrong (truncated header, unknown dtype, a byte
// range outside the data or not matching the shape, gaps or overlaps).
NamedTensors parse_safetensors(const std::string& bytes, const std::string& source);

}  // namespace lrpseg
