#include "evaluation/robustness.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "analysis/inclusivity.h"
#include "data/random.h"
#include "lrp/precision_check.h"
#include "util/error.h"

namespace lrpseg {

void check_robustness_options(const RobustnessOptions& o) {
  if (o.sigmas.empty()) throw Error("--robustness-sigma: needs at least one value");
  for (double s : o.sigmas) {
    if (!(s > 0 && s < 1)) throw Error("--robustness-sigma: each σ must be in (0, 1)");
  }
  if (o.samples < 1) throw Error("--robustness-samples: must be at least 1");
}

torch::Tensor noisy_input(const torch::Tensor& input, const torch::Tensor& brain, double sigma,
                          uint64_t seed, int sample) {
  uint64_t sigma_bits = 0;
  static_assert(sizeof(sigma_bits) == sizeof(sigma));
  std::memcpy(&sigma_bits, &sigma, sizeof(sigma));
  auto generator = at::detail::createCPUGenerator(
      derive_seed({seed, sigma_bits, static_cast<uint64_t>(sample)}));
  const torch::Tensor n =
      torch::randn(input.sizes(), generator, input.options().dtype(torch::kDouble));
  const torch::Tensor factor = 1 + sigma * n * brain.unsqueeze(0).to(torch::kDouble);
  return (input.to(torch::kDouble) * factor).to(input.scalar_type());
}

namespace {

// Channel-mean D(a, OT) with a = |R_c| / max|R_c| > threshold (analysis/inclusivity.h);
// nullopt without OT or when no channel is defined.
std::optional<double> mean_gt_inclusivity(const torch::Tensor& r, const torch::Tensor& ot,
                                          double threshold) {
  if (!ot.defined()) return std::nullopt;
  return mean_of_defined(inclusivity_per_channel(amplitude_mask(r, threshold), ot.ne(0), 0.0));
}

}  // namespace

RobustnessScores robustness_scores(const torch::Tensor& original,
                                   const std::vector<torch::Tensor>& perturbed,
                                   const torch::Tensor& ot, double relevance_threshold) {
  if (perturbed.empty()) throw Error("robustness: no perturbed explanations");
  RobustnessScores s;
  const torch::Tensor r = original.to(torch::kDouble);
  const double norm = r.norm().item<double>();
  const std::optional<double> clean = mean_gt_inclusivity(r, ot, relevance_threshold);
  double change_sum = 0;
  int change_count = 0;
  for (const torch::Tensor& p_in : perturbed) {
    if (p_in.sizes() != original.sizes()) throw Error("robustness: maps differ in shape");
    const torch::Tensor p = p_in.to(torch::kDouble);
    const double distance = (p - r).norm().item<double>();
    const double sensitivity = norm > 0       ? distance / norm
                               : distance > 0 ? std::numeric_limits<double>::infinity()
                                              : 0.0;
    s.max_sensitivity = std::max(s.max_sensitivity, sensitivity);
    s.mean_pearson += pearson_correlation(p, r);
    s.mean_spearman += spearman_correlation(p, r);
    const std::optional<double> noisy = mean_gt_inclusivity(p, ot, relevance_threshold);
    if (clean && noisy) {
      change_sum += std::abs(*noisy - *clean);
      ++change_count;
    }
  }
  s.mean_pearson /= static_cast<double>(perturbed.size());
  s.mean_spearman /= static_cast<double>(perturbed.size());
  if (change_count > 0) s.inclusivity_change = change_sum / change_count;
  return s;
}

}  // namespace lrpseg
