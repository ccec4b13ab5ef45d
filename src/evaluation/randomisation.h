#pragma once
// Sanity check by cascading model-parameter randomisation (Adebayo et al.
// 2018; issue 11): the layers are randomised one stage at a time from the head
// down to the first encoder block, keeping the earlier stages randomised, and
// each explanation is compared with the original one. An explanation that
// stays the same while the network it explains is destroyed does not explain
// the network.
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/unet.h"

namespace lrpseg {

// The U-Net's stages in cascade order: head, b7, up3, b6, up2, b5, up1, b4, b3, b2, b1.
const std::vector<std::string>& randomisation_stages();

// Throws lrpseg::Error naming --randomisation-stages for a name not in randomisation_stages().
void check_randomisation_checkpoints(const std::vector<std::string>& stages);

// Re-draws every learnt parameter of `stage` (convolution weights and biases,
// BatchNorm scale and shift) as mean + sd · N(0, 1) with the parameter tensor's
// own mean and sd (a constant tensor, e.g. an untrained BatchNorm scale, gets
// sd = max(|mean|, 0.1)), so activations keep their scale and the network
// still runs; BatchNorm running statistics stay. The draws come from (seed, stage), the same
// for the same arguments. Throws lrpseg::Error for an unknown stage.
void randomise_stage(UNet& net, const std::string& stage, uint64_t seed);

// How much a randomised explanation still resembles the original.
struct RandomisationPoint {
  std::string stage;  // the last stage randomised
  double spearman = 0;
  double ssim = 0;
};

// original and randomised: (K, C, D, H, W); one point per map k.
std::vector<RandomisationPoint> compare_randomised(const std::string& stage,
                                                   const torch::Tensor& original,
                                                   const torch::Tensor& randomised);

}  // namespace lrpseg
