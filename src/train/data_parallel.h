#pragma once
// Data-parallel training steps that equal one process's: a step of B samples (the global
// batch) is split into consecutive shares of B / N samples, in rank order; every rank sums its
// samples' gradients, the sums are added over the ranks and divided by the step's sample count,
// and the BatchNorm running statistics are composed as if one process had seen the step's
// samples one after another. So `--nproc 2` trains the weights `--batch 2` trains in one process.
#include <torch/torch.h>

#include <vector>

#include "distributed/process_group.h"

namespace lrpseg {

// Which of a step's samples a rank computes: positions [first, last) of the epoch's order.
struct StepShare {
  size_t first = 0, last = 0;
  size_t step_samples = 0;                // all ranks together (the last step may be short)
  std::vector<int64_t> samples_per_rank;  // in rank order
};

// Step `step` of an epoch of `samples` samples in steps of `batch` (a multiple of `ranks`).
StepShare share_of_step(size_t samples, size_t batch, size_t step, int rank, int ranks);

// The BatchNorm layers' running means and variances of a network, flattened in module order.
class RunningStatistics {
 public:
  explicit RunningStatistics(torch::nn::Module& net);
  torch::Tensor flat() const;
  void assign(const torch::Tensor& flat);
  // Adds `n` to every layer's num_batches_tracked.
  void count_batches(int64_t n);
  double momentum() const { return momentum_; }

 private:
  std::vector<torch::nn::BatchNorm3dImpl*> layers_;
  double momentum_ = 0.1;
};

// The statistics one process would hold after the ranks' samples in rank order, from those it
// held before the step (`start`) and each rank's after its own `samples_per_rank[r]` updates:
// an update is x ← (1 − m)·x + m·s, so rank r's samples map x to (1 − m)^k·x + (x_r − (1 −
// m)^k·start).
torch::Tensor compose_running_statistics(const torch::Tensor& start,
                                         const std::vector<torch::Tensor>& per_rank,
                                         const std::vector<int64_t>& samples_per_rank,
                                         double momentum);

// Adds the parameters' gradients and `local_loss` over the ranks (when `group` is given) and
// divides the gradients by `step_samples`; returns the step's summed loss. A parameter without a
// gradient counts as zero.
double average_step_gradients(ProcessGroup* group, const std::vector<torch::Tensor>& parameters,
                              double local_loss, size_t step_samples);

}  // namespace lrpseg
