#include "evaluation/region_perturbation.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "attribution/attribution.h"
#include "data/preprocess.h"
#include "util/error.h"

namespace lrpseg {

const char* to_string(PerturbationMode mode) {
  switch (mode) {
    case PerturbationMode::Zero:
      return "zero";
    case PerturbationMode::Blur:
      return "blur";
    case PerturbationMode::Noise:
      return "noise";
  }
  return "?";
}

PerturbationMode parse_perturbation_mode(const std::string& name) {
  if (name == "zero") return PerturbationMode::Zero;
  if (name == "blur") return PerturbationMode::Blur;
  if (name == "noise") return PerturbationMode::Noise;
  throw UsageError("--perturb: unknown mode '" + name + "' (zero, blur or noise)");
}

void check_perturbation_options(const PerturbationOptions& o,
                                const std::array<int64_t, 3>& size_dhw) {
  for (int a = 0; a < 3; ++a) {
    if (o.patch[a] < 1 || o.patch[a] > size_dhw[a])
      throw UsageError("--perturb-patch: each side must be in [1, the input size]");
  }
  if (o.steps < 1) throw UsageError("--perturb-steps: must be at least 1");
  if (!(o.fraction > 0 && o.fraction <= 1))
    throw UsageError("--perturb-fraction: must be in (0, 1]");
  if (!(o.blur_sigma > 0)) throw UsageError("--perturb-blur-sigma: must be positive");
  if (o.random_orders < 0) throw UsageError("--random-orders: must not be negative");
  if (o.batch < 1) throw UsageError("--batch: must be at least 1");
}

double PerturbationCurve::aopc() const {
  double sum = 0;
  for (double s : scores) sum += 1.0 - s;
  return scores.empty() ? 0.0 : sum / static_cast<double>(scores.size());
}

namespace {

// (D, H, W) zero-padded up to whole patches and summed per patch → flat (patch grid).
torch::Tensor sum_per_patch(const torch::Tensor& map, const std::array<int64_t, 3>& patch,
                            const std::array<int64_t, 3>& grid) {
  const torch::Tensor padded = torch::constant_pad_nd(
      map, {0, grid[2] * patch[2] - map.size(2), 0, grid[1] * patch[1] - map.size(1), 0,
            grid[0] * patch[0] - map.size(0)});
  return padded.reshape({grid[0], patch[0], grid[1], patch[1], grid[2], patch[2]})
      .sum({1, 3, 5})
      .reshape({-1});
}

}  // namespace

Score lesion_score(UNet& net, const torch::Tensor& input) {
  const auto dtype = net->parameters().front().scalar_type();
  const torch::Device device = device_of(net);
  // Runs on the net's device; the scores come back to the CPU.
  auto forward = [net, device, dtype](const torch::Tensor& batch) mutable {
    torch::NoGradGuard no_grad;
    const bool was_training = net->is_training();
    net->eval();
    torch::Tensor y = net->forward(batch.to(device, dtype));
    net->train(was_training);
    return y;
  };
  const torch::Tensor y = forward(input.unsqueeze(0));
  const torch::Tensor lesion = y.argmax(1).eq(y.size(1) - 1).cpu();  // (1, D, H, W)
  return [forward, lesion](const torch::Tensor& batch) mutable {
    const torch::Tensor p = torch::softmax(forward(batch).to(torch::kDouble), 1);
    return (p.select(1, -1).cpu() * lesion).sum({1, 2, 3});
  };
}

RegionPerturbation::RegionPerturbation(Score score, const torch::Tensor& input,
                                       const PerturbationOptions& options)
    : score_(std::move(score)), options_(options) {
  if (input.dim() != 4) throw Error("region perturbation: expects an input (C, D, H, W)");
  check_perturbation_options(options, {input.size(1), input.size(2), input.size(3)});
  input_ = input.contiguous();
  for (int a = 0; a < 3; ++a)
    grid_[a] = (input.size(1 + a) + options.patch[a] - 1) / options.patch[a];

  switch (options.mode) {
    case PerturbationMode::Zero:
      replacement_ = torch::zeros_like(input_);
      break;
    case PerturbationMode::Blur: {
      AttributionOptions blur;
      blur.ig_baseline = "blur";
      blur.ig_blur_sigma = options.blur_sigma;
      replacement_ = ig_baseline(input_.unsqueeze(0), blur).squeeze(0);
      break;
    }
    case PerturbationMode::Noise: {
      auto generator = at::detail::createCPUGenerator(options.seed);
      replacement_ = torch::rand(input_.sizes(), generator, input_.options());
      break;
    }
  }

  const torch::Tensor brain_count =
      sum_per_patch(brain_mask(input).to(torch::kInt64), options.patch, grid_);
  const torch::Tensor ids = brain_count.gt(0).nonzero().reshape({-1}).contiguous();
  patches_.assign(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + ids.numel());
  clean_score_ = score_(input_.unsqueeze(0)).to(torch::kDouble)[0].item<double>();
}

torch::Tensor RegionPerturbation::patch_sums(const torch::Tensor& voxel_map) const {
  return sum_per_patch(voxel_map.to(torch::kDouble), options_.patch, grid_);
}

std::vector<int64_t> RegionPerturbation::patch_order(const torch::Tensor& voxel_map,
                                                     bool most_relevant_first) const {
  const torch::Tensor sums = patch_sums(voxel_map).contiguous();
  const double* s = sums.data_ptr<double>();
  std::vector<int64_t> order = patches_;
  std::stable_sort(order.begin(), order.end(), [s, most_relevant_first](int64_t a, int64_t b) {
    return most_relevant_first ? s[a] > s[b] : s[a] < s[b];
  });
  return order;
}

torch::Tensor RegionPerturbation::perturbed(const std::vector<int64_t>& order,
                                            int64_t count) const {
  torch::Tensor chosen = torch::zeros({grid_[0] * grid_[1] * grid_[2]}, torch::kBool);
  if (count > 0) {
    const torch::Tensor ids =
        torch::tensor(std::vector<int64_t>(order.begin(), order.begin() + count), torch::kInt64);
    chosen.index_fill_(0, ids, true);
  }
  torch::Tensor mask = chosen.view({grid_[0], 1, grid_[1], 1, grid_[2], 1})
                           .expand({grid_[0], options_.patch[0], grid_[1], options_.patch[1],
                                    grid_[2], options_.patch[2]})
                           .reshape({grid_[0] * options_.patch[0], grid_[1] * options_.patch[1],
                                     grid_[2] * options_.patch[2]});
  mask = mask.slice(0, 0, input_.size(1)).slice(1, 0, input_.size(2)).slice(2, 0, input_.size(3));
  return torch::where(mask.unsqueeze(0), replacement_, input_);
}

std::vector<PerturbationCurve> RegionPerturbation::curves(
    const std::vector<std::vector<int64_t>>& orders) {
  const int steps = options_.steps;
  const double n = static_cast<double>(patches_.size());
  std::vector<int64_t> counts(steps + 1);
  for (int k = 0; k <= steps; ++k)
    counts[k] = std::llround(static_cast<double>(k) * options_.fraction * n / steps);

  // Every (order, step ≥ 1) is one perturbed input; batch them across orders.
  std::vector<PerturbationCurve> out(orders.size());
  for (auto& c : out) c.scores.assign(steps + 1, 1.0);
  if (!defined()) return out;
  const int64_t total = static_cast<int64_t>(orders.size()) * steps;
  for (int64_t first = 0; first < total; first += options_.batch) {
    const int64_t last = std::min<int64_t>(total, first + options_.batch);
    std::vector<torch::Tensor> inputs;
    for (int64_t j = first; j < last; ++j)
      inputs.push_back(perturbed(orders[j / steps], counts[1 + j % steps]));
    const torch::Tensor s = score_(torch::stack(inputs)).to(torch::kDouble).contiguous();
    for (int64_t j = first; j < last; ++j)
      out[j / steps].scores[1 + j % steps] = s[j - first].item<double>() / clean_score_;
  }
  return out;
}

std::vector<std::pair<PerturbationCurve, PerturbationCurve>> RegionPerturbation::morf_lerf(
    const torch::Tensor& relevance) {
  if (relevance.dim() != 5 || relevance.size(2) != input_.size(1) ||
      relevance.size(3) != input_.size(2) || relevance.size(4) != input_.size(3))
    throw Error("region perturbation: relevance must be (K, C, D, H, W) at the input size");
  std::vector<std::vector<int64_t>> orders;
  for (int64_t k = 0; k < relevance.size(0); ++k) {
    const torch::Tensor voxel_map = relevance[k].sum(0, false, torch::kDouble);
    orders.push_back(patch_order(voxel_map, true));
    orders.push_back(patch_order(voxel_map, false));
  }
  const std::vector<PerturbationCurve> all = curves(orders);
  std::vector<std::pair<PerturbationCurve, PerturbationCurve>> out;
  for (size_t k = 0; k < all.size(); k += 2) out.emplace_back(all[k], all[k + 1]);
  return out;
}

std::vector<PerturbationCurve> RegionPerturbation::random_curves() {
  std::vector<std::vector<int64_t>> orders;
  for (int r = 0; r < options_.random_orders; ++r) {
    auto generator = at::detail::createCPUGenerator(options_.seed + static_cast<uint64_t>(r));
    const torch::Tensor perm =
        torch::randperm(static_cast<int64_t>(patches_.size()), generator, torch::kInt64)
            .contiguous();
    std::vector<int64_t> order(patches_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = patches_[perm.data_ptr<int64_t>()[i]];
    orders.push_back(std::move(order));
  }
  return curves(orders);
}

}  // namespace lrpseg
