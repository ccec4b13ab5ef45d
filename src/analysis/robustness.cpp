#include "analysis/robustness.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "analysis/inclusivity.h"
#include "data/preprocess.h"
#include "data/random.h"
#include "lrp/precision_check.h"
#include "util/error.h"

namespace lrpseg {

void check_robustness_options(const RobustnessOptions& o) {
  if (o.sigmas.empty()) throw UsageError("--robustness-sigma: needs at least one value");
  for (double s : o.sigmas) {
    if (!(s > 0 && s < 1)) throw UsageError("--robustness-sigma: each σ must be in (0, 1)");
  }
  if (o.samples < 1) throw UsageError("--robustness-samples: must be at least 1");
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

RobustnessAccumulator::RobustnessAccumulator(const torch::Tensor& original, const torch::Tensor& ot,
                                             double relevance_threshold)
    : original_(original.to(torch::kDouble)),
      ot_(ot),
      threshold_(relevance_threshold),
      norm_(original_.norm().item<double>()),
      clean_inclusivity_(mean_gt_inclusivity(original_, ot, relevance_threshold)) {}

void RobustnessAccumulator::add(const torch::Tensor& perturbed) {
  if (perturbed.sizes() != original_.sizes()) throw Error("robustness: maps differ in shape");
  const torch::Tensor p = perturbed.to(torch::kDouble);
  const double distance = (p - original_).norm().item<double>();
  const double sensitivity = norm_ > 0      ? distance / norm_
                             : distance > 0 ? std::numeric_limits<double>::infinity()
                                            : 0.0;
  sums_.max_sensitivity = std::max(sums_.max_sensitivity, sensitivity);
  sums_.mean_pearson += pearson_correlation(p, original_);
  sums_.mean_spearman += spearman_correlation(p, original_);
  const std::optional<double> noisy = mean_gt_inclusivity(p, ot_, threshold_);
  if (clean_inclusivity_ && noisy) {
    change_sum_ += std::abs(*noisy - *clean_inclusivity_);
    ++change_count_;
  }
  ++count_;
}

RobustnessScores RobustnessAccumulator::scores() const {
  if (count_ == 0) throw Error("robustness: no perturbed explanations");
  RobustnessScores s = sums_;
  s.mean_pearson /= count_;
  s.mean_spearman /= count_;
  if (change_count_ > 0) s.inclusivity_change = change_sum_ / change_count_;
  return s;
}

RobustnessScores robustness_scores(const torch::Tensor& original,
                                   const std::vector<torch::Tensor>& perturbed,
                                   const torch::Tensor& ot, double relevance_threshold) {
  RobustnessAccumulator accumulator(original, ot, relevance_threshold);
  for (const torch::Tensor& p : perturbed) accumulator.add(p);
  return accumulator.scores();
}

std::vector<RobustnessScores> measure_robustness(const ExplainInput& explain,
                                                 const torch::Tensor& input,
                                                 const torch::Tensor& clean, double sigma,
                                                 const RobustnessOptions& options,
                                                 const torch::Tensor& ot,
                                                 double relevance_threshold) {
  const torch::Tensor brain = brain_mask(input);
  std::vector<RobustnessAccumulator> maps;
  for (int64_t k = 0; k < clean.size(0); ++k) maps.emplace_back(clean[k], ot, relevance_threshold);
  for (int s = 0; s < options.samples; ++s) {
    const torch::Tensor noisy = explain(noisy_input(input, brain, sigma, options.seed, s));
    if (noisy.size(0) != clean.size(0)) throw Error("robustness: explanations differ in count");
    for (int64_t k = 0; k < clean.size(0); ++k) maps[k].add(noisy[k]);
  }
  std::vector<RobustnessScores> out;
  for (const RobustnessAccumulator& m : maps) out.push_back(m.scores());
  return out;
}

nlohmann::json robustness_json(double sigma, const RobustnessOptions& options,
                               const std::vector<std::string>& filters,
                               const std::vector<RobustnessScores>& scores) {
  nlohmann::json list = nlohmann::json::array();
  for (size_t k = 0; k < scores.size(); ++k) {
    const RobustnessScores& s = scores[k];
    list.push_back(
        {{"filter", filters.at(k)},
         {"max_sensitivity", s.max_sensitivity},
         {"pearson", s.mean_pearson},
         {"spearman", s.mean_spearman},
         {"inclusivity_change",
          s.inclusivity_change ? nlohmann::json(*s.inclusivity_change) : nlohmann::json(nullptr)}});
  }
  return {{"sigma", sigma},
          {"samples", options.samples},
          {"seed", options.seed},
          {"noise", "input x (1 + sigma N(0,1)) per voxel inside the brain"},
          {"filters", list}};
}

}  // namespace lrpseg
