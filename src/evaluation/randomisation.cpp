#include "evaluation/randomisation.h"

#include <algorithm>
#include <cmath>

#include "lrp/precision_check.h"
#include "metrics/similarity.h"
#include "util/error.h"

namespace lrpseg {

const std::vector<std::string>& randomisation_stages() {
  static const std::vector<std::string> stages{"head", "b7", "up3", "b6", "up2", "b5",
                                               "up1",  "b4", "b3",  "b2", "b1"};
  return stages;
}

void check_randomisation_checkpoints(const std::vector<std::string>& stages) {
  const auto& known = randomisation_stages();
  for (const auto& s : stages) {
    if (std::find(known.begin(), known.end(), s) == known.end())
      throw UsageError("--randomisation-stages: unknown stage '" + s +
                       "' (head, b7, up3, b6, up2, b5, up1, b4, b3, b2, b1)");
  }
}

void randomise_stage(UNet& net, const std::string& stage, uint64_t seed) {
  const auto& stages = randomisation_stages();
  const auto at = std::find(stages.begin(), stages.end(), stage);
  if (at == stages.end()) throw Error("randomisation: unknown stage '" + stage + "'");
  // Parameter names of a stage start with its module name (head: head_conv, head_bn).
  const std::string prefix = stage == "head" ? "head_" : stage + ".";
  auto generator = at::detail::createCPUGenerator(seed * 1000003ULL +
                                                  static_cast<uint64_t>(at - stages.begin()));
  torch::NoGradGuard no_grad;
  int changed = 0;
  for (auto& p : net->named_parameters()) {
    if (p.key().rfind(prefix, 0) != 0) continue;
    torch::Tensor& t = p.value();
    // Drawn on the CPU (its generator), so every device randomises alike.
    const torch::Tensor draw =
        torch::randn(t.sizes(), generator, t.options().device(torch::kCPU)).to(t.device());
    const double mean = t.mean().item<double>();
    double sd = t.numel() > 1 ? t.std().item<double>() : 0.0;
    // A constant tensor (an untrained BatchNorm scale or shift) must still change.
    if (sd == 0) sd = std::max(std::abs(mean), 0.1);
    t.copy_(draw * sd + mean);
    ++changed;
  }
  if (changed == 0) throw Error("randomisation: stage '" + stage + "' has no parameters");
}

std::vector<RandomisationPoint> compare_randomised(const std::string& stage,
                                                   const torch::Tensor& original,
                                                   const torch::Tensor& randomised) {
  if (original.sizes() != randomised.sizes())
    throw Error("randomisation: the explanations differ in shape");
  std::vector<RandomisationPoint> out;
  for (int64_t k = 0; k < original.size(0); ++k) {
    out.push_back({stage, spearman_correlation(original[k], randomised[k]),
                   ssim(original[k], randomised[k])});
  }
  return out;
}

}  // namespace lrpseg
