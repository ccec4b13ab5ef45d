#pragma once
// Robustness of explanations to input noise (issue 14): the input is
// multiplied by (1 + σ·N(0, 1)) per voxel inside the brain, the explanation
// recomputed, and compared with the unperturbed one.
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
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

// Scores of one clean map against its noisy recomputations, added one at a
// time (a sweep need not hold K filters × samples maps). ot (D, H, W) at the
// map's grid, or undefined.
class RobustnessAccumulator {
 public:
  RobustnessAccumulator(const torch::Tensor& original, const torch::Tensor& ot,
                        double relevance_threshold = 0.5);
  void add(const torch::Tensor& perturbed);
  // Throws lrpseg::Error when nothing was added.
  RobustnessScores scores() const;

 private:
  torch::Tensor original_, ot_;
  double threshold_, norm_;
  std::optional<double> clean_inclusivity_;
  RobustnessScores sums_;
  double change_sum_ = 0;
  int change_count_ = 0, count_ = 0;
};

// original (C, D, H, W); perturbed: one map per sample, same shape; ot (D, H, W)
// at the same grid or undefined.
RobustnessScores robustness_scores(const torch::Tensor& original,
                                   const std::vector<torch::Tensor>& perturbed,
                                   const torch::Tensor& ot, double relevance_threshold = 0.5);

// Every explanation of one network input (C, D, H, W) → (K, C, D, H, W).
using ExplainInput = std::function<torch::Tensor(const torch::Tensor& input)>;

// Robustness of each of the K maps `clean` = explain(input) at noise σ:
// options.samples noisy inputs (noise inside brain_mask(input), drawn from
// options.seed), each explained once and compared with every map. ot (D, H, W)
// at the network grid, or undefined.
std::vector<RobustnessScores> measure_robustness(const ExplainInput& explain,
                                                 const torch::Tensor& input,
                                                 const torch::Tensor& clean, double sigma,
                                                 const RobustnessOptions& options,
                                                 const torch::Tensor& ot,
                                                 double relevance_threshold = 0.5);

// {"sigma", "samples", "seed", "noise", "filters": [{filter, max_sensitivity,
// pearson, spearman, inclusivity_change}]}: summary.json's "robustness".
nlohmann::json robustness_json(double sigma, const RobustnessOptions& options,
                               const std::vector<std::string>& filters,
                               const std::vector<RobustnessScores>& scores);

}  // namespace lrpseg
