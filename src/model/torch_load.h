#pragma once
// Reads the state dicts people save with Python's torch.save: a zip archive
// whose data.pkl pickles a dict or an OrderedDict (with its _metadata) of
// tensors. LibTorch's own unpickler reads an OrderedDict as None, so this is a
// small pickle machine that, like torch.load(weights_only=True), accepts only
// the globals a state dict needs and executes nothing else.
#include <string>

#include "model/torch_save.h"

namespace lrpseg {

// The tensors in the dict's order; errors name `source` and the problem (not a
// zip, compressed records, an unsupported opcode or global, a missing record).
NamedTensors read_torch_save(const std::string& bytes, const std::string& source);

}  // namespace lrpseg
