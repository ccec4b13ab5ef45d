#pragma once
#include <torch/torch.h>

#include <string>

namespace lrpseg {

enum class Loss { CrossEntropy, Dice, CrossEntropyDice };

Loss parse_loss(const std::string& text, const std::string& option);
std::string to_string(Loss loss);

// output: (N, 2, D, H, W) network output used as logits; label: (N, D, H, W) int64.
// Cross-entropy is the mean over voxels (paper); soft Dice is 1 − DSC of the
// lesion-class softmax probability.
torch::Tensor segmentation_loss(const torch::Tensor& output, const torch::Tensor& label, Loss loss);

}  // namespace lrpseg
