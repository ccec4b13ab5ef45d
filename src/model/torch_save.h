#pragma once
// model.pt in the layout Python's torch.save writes for a plain dict of
// tensors, so that torch.load(..., weights_only=True) reads it on PyTorch 1.13
// through 2.x: a zip archive (stored records, data aligned to 64 bytes) with
// archive/data.pkl (pickle protocol 2 using only globals the weights-only
// unpickler allows: torch._utils._rebuild_tensor_v2, torch.<Type>Storage,
// collections.OrderedDict), one archive/data/<key> record per tensor, and
// archive/version. LibTorch's torch::pickle_save writes TorchScript type tags
// that weights_only rejects.
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

namespace lrpseg {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// The archive's bytes; tensors must be float32, float64 or int64 (CPU copies
// are made; strides become contiguous). Throws lrpseg::Error for other dtypes.
std::string torch_save_bytes(const NamedTensors& tensors);

}  // namespace lrpseg
