#pragma once
// Faithfulness by region perturbation (Samek et al. 2017; issue 11): replace
// patches of the network input (all channels) in the order an explanation ranks
// them — most relevant first (MoRF), least relevant first (LeRF), or at random
// — and follow the network's lesion score. A faithful map makes the score fall
// fast under MoRF and slowly under LeRF.
#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "attribution/attribution.h"
#include "model/unet.h"

namespace lrpseg {

enum class PerturbationMode { Zero, Blur, Noise };
const char* to_string(PerturbationMode mode);
// "zero" | "blur" | "noise"; an error names --perturb.
PerturbationMode parse_perturbation_mode(const std::string& name);

struct PerturbationOptions {
  std::array<int64_t, 3> patch{1, 4, 4};  // D, H, W voxels; a patch spans all channels
  int steps = 20;                         // perturbed states after the clean one
  double fraction = 0.5;                  // share of the brain's patches replaced at the last step
  // zero: 0, the background after min-max scaling; blur: the input blurred by an
  // isotropic Gaussian of blur_sigma voxels; noise: uniform values in [0, 1), the
  // input's range (seeded, the same values for every order).
  PerturbationMode mode = PerturbationMode::Zero;
  double blur_sigma = 3.0;
  int random_orders = 3;  // the random-order reference, seeds seed … seed + 2
  uint64_t seed = 0;
  int batch = 8;  // perturbed copies per forward
};

// Throws lrpseg::Error naming the option for bad values; the patch must fit in size_dhw.
void check_perturbation_options(const PerturbationOptions& options,
                                const std::array<int64_t, 3>& size_dhw);

// A perturbation curve: the lesion score after each step divided by the clean
// score (scores[0] = 1), steps + 1 values.
struct PerturbationCurve {
  std::vector<double> scores;
  // Area over the perturbation curve: the mean over k = 0 … steps of 1 − scores[k].
  double aopc() const;
};

// The lesion score of a batch (B, C, D, H, W) → (B): Σ of the lesion
// probability (softmax of the output) over the voxels the clean input (C, D, H,
// W) predicts as lesion. Runs `net` in eval mode without gradients, in its own
// dtype (float32 is enough for a score).
Score lesion_score(UNet& net, const torch::Tensor& input);

class RegionPerturbation {
 public:
  // input (C, D, H, W): the clean input; score: batch → (B) scores, e.g. lesion_score.
  RegionPerturbation(Score score, const torch::Tensor& input, const PerturbationOptions& options);

  // The score of the clean input. Curves need it positive.
  double clean_score() const { return clean_score_; }
  bool defined() const { return clean_score_ > 0; }
  int64_t brain_patches() const { return static_cast<int64_t>(patches_.size()); }

  // MoRF and LeRF curves of each map of relevance (K, C, D, H, W); a patch's
  // relevance is Σ R over its voxels and channels, ties broken by position.
  // All 2·K·steps perturbed inputs go through the net `batch` at a time.
  std::vector<std::pair<PerturbationCurve, PerturbationCurve>> morf_lerf(
      const torch::Tensor& relevance);
  // Curves of random patch orders, seeds seed … seed + random_orders − 1.
  std::vector<PerturbationCurve> random_curves();

  // The brain patch ids (flat over the patch grid) ordered by Σ of a voxel map
  // (D, H, W) per patch, highest first (MoRF) or lowest first (LeRF); ties keep
  // the position order.
  std::vector<int64_t> patch_order(const torch::Tensor& voxel_map, bool most_relevant_first) const;

 private:
  std::vector<PerturbationCurve> curves(const std::vector<std::vector<int64_t>>& orders);
  torch::Tensor perturbed(const std::vector<int64_t>& order, int64_t count) const;
  torch::Tensor patch_sums(const torch::Tensor& voxel_map) const;  // (patch grid) flat

  Score score_;
  PerturbationOptions options_;
  torch::Tensor input_;            // (C, D, H, W)
  torch::Tensor replacement_;      // (C, D, H, W)
  std::array<int64_t, 3> grid_{};  // patches along D, H, W
  std::vector<int64_t> patches_;   // brain patch ids, ascending
  double clean_score_ = 0;
};

}  // namespace lrpseg
