#pragma once
#include <torch/torch.h>

#include <array>

#include "model/unet.h"

namespace lrpseg {

// Lesion mask (D, H, W) uint8 at the case grid `case_size_dhw`: the argmax of
// the network output on the preprocessed image (C, d, h, w), resized back with
// nearest sampling. Runs in eval mode without gradients.
torch::Tensor predict_mask(UNet& net, const torch::Tensor& image,
                           const std::array<int64_t, 3>& case_size_dhw);

}  // namespace lrpseg
