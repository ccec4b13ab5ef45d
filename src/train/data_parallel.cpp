#include "train/data_parallel.h"

#include <algorithm>
#include <cmath>

#include "util/error.h"

namespace lrpseg {

StepShare share_of_step(size_t samples, size_t batch, size_t step, int rank, int ranks) {
  if (batch == 0 || ranks < 1 || batch % static_cast<size_t>(ranks) != 0 || rank < 0 ||
      rank >= ranks) {
    throw Error("share_of_step: the batch must be a positive multiple of the ranks");
  }
  const size_t per_rank = batch / static_cast<size_t>(ranks);
  const size_t step_first = std::min(samples, step * batch);
  const size_t step_last = std::min(samples, step_first + batch);
  StepShare share;
  share.step_samples = step_last - step_first;
  for (int r = 0; r < ranks; ++r) {
    const size_t first = std::min(step_last, step_first + static_cast<size_t>(r) * per_rank);
    const size_t last = std::min(step_last, first + per_rank);
    share.samples_per_rank.push_back(static_cast<int64_t>(last - first));
    if (r == rank) share.first = first, share.last = last;
  }
  return share;
}

RunningStatistics::RunningStatistics(torch::nn::Module& net) {
  for (const auto& module : net.modules(/*include_self=*/false)) {
    auto* bn = module->as<torch::nn::BatchNorm3d>();
    if (bn == nullptr) continue;
    if (!bn->options.track_running_stats()) continue;
    if (!bn->options.momentum())
      throw Error("data-parallel training needs BatchNorm with a momentum (not a running average)");
    momentum_ = *bn->options.momentum();
    layers_.push_back(bn);
  }
}

torch::Tensor RunningStatistics::flat() const {
  std::vector<torch::Tensor> parts;
  for (auto* bn : layers_) {
    parts.push_back(bn->running_mean.reshape({-1}));
    parts.push_back(bn->running_var.reshape({-1}));
  }
  return parts.empty() ? torch::zeros({0}) : torch::cat(parts);
}

void RunningStatistics::assign(const torch::Tensor& flat) {
  torch::NoGradGuard no_grad;
  int64_t offset = 0;
  for (auto* bn : layers_) {
    for (torch::Tensor* t : {&bn->running_mean, &bn->running_var}) {
      const int64_t n = t->numel();
      t->copy_(flat.narrow(0, offset, n).view_as(*t));
      offset += n;
    }
  }
}

void RunningStatistics::count_batches(int64_t n) {
  torch::NoGradGuard no_grad;
  for (auto* bn : layers_) bn->num_batches_tracked.add_(n);
}

torch::Tensor compose_running_statistics(const torch::Tensor& start,
                                         const std::vector<torch::Tensor>& per_rank,
                                         const std::vector<int64_t>& samples_per_rank,
                                         double momentum) {
  if (per_rank.size() != samples_per_rank.size())
    throw Error("compose_running_statistics: one sample count per rank");
  torch::Tensor x = start.to(torch::kDouble);
  const torch::Tensor x0 = x.clone();
  for (size_t r = 0; r < per_rank.size(); ++r) {
    const double decay = std::pow(1.0 - momentum, static_cast<double>(samples_per_rank[r]));
    x = decay * x + (per_rank[r].to(torch::kDouble) - decay * x0);
  }
  return x.to(start.scalar_type());
}

double average_step_gradients(ProcessGroup* group, const std::vector<torch::Tensor>& parameters,
                              double local_loss, size_t step_samples) {
  std::vector<torch::Tensor> gradients;
  for (const auto& p : parameters) {
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    gradients.push_back(p.grad());
  }
  double loss = local_loss;
  if (group != nullptr) {
    torch::Tensor loss_tensor = torch::full({1}, local_loss, torch::kDouble);
    gradients.push_back(loss_tensor);
    group->all_reduce_sum(gradients);
    gradients.pop_back();
    loss = loss_tensor.item<double>();
  }
  // One sample's gradient stays as it is, bit for bit (the paper's batch 1).
  if (step_samples > 1) {
    torch::NoGradGuard no_grad;
    for (auto& g : gradients) g.div_(static_cast<double>(step_samples));
  }
  return loss;
}

}  // namespace lrpseg
