#pragma once
// Robustness of explanations to input noise (issue 14): the input is
// multiplied by (1 + σ·N(0, 1)) per voxel inside the brain, the explanation
// recomputed, and compared with the unperturbed one.
#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace lrpseg {

struct RobustnessOptions {
  std::vector<double> sigmas{0.01};  // relative noise sizes; MRI noise is about 1 %
  int samples = 8;                   // perturbations per σ
  uint64_t seed = 0;
};

// Throws lrpseg::Error naming --robustness-sigma / --robustness-samples.
void check_robustness_options(const RobustnessOptions& options);

// input (C, D, H, W) · (1 + σ·n) where brain (D, H, W) is true, n ~ N(0, 1)
// drawn from (seed, σ, sample): the same arguments give the same input.
torch::Tensor noisy_input(const torch::Tensor& input, const torch::Tensor& brain, double sigma,
                          uint64_t seed, int sample);

struct RobustnessScores {
  // Max-sensitivity (Yeh et al. 2019): max over samples of ‖R' − R‖ / ‖R‖
  // (Frobenius norms; 0 when R and all R' are 0, +inf when only R is 0).
  double max_sensitivity = 0;
  double mean_pearson = 0;   // mean over samples of the correlation of R' with R
  double mean_spearman = 0;  // the same with rank correlation
  // Mean over samples of |Δ| of the channel-mean ground-truth inclusivity;
  // nullopt when it is undefined (no OT) for the clean map or every sample.
  std::optional<double> inclusivity_change;
};

// original (C, D, H, W); perturbed: one map per sample, same shape; ot (D, H, W)
// at the same grid or undefined.
RobustnessScores robustness_scores(const torch::Tensor& original,
                                   const std::vector<torch::Tensor>& perturbed,
                                   const torch::Tensor& ot, double relevance_threshold = 0.5);

}  // namespace lrpseg
