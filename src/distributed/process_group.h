#pragma once
// Data-parallel ranks on PyTorch's c10d: a TCPStore rendezvous and a Gloo process group
// (CPU tensors), joined from torchrun's environment. `--nproc N` sets that environment for N
// local ranks (distributed/launcher.h); torchrun or Slurm's srun set it for several nodes.
#include <torch/torch.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lrpseg {

// RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT.
struct RankEnvironment {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  int local_world_size = 1;
  std::string master_address = "127.0.0.1";
  int master_port = 0;

  bool distributed() const { return world_size > 1; }
};

// Reads the variables; without WORLD_SIZE (or with 1) this process runs alone. A malformed,
// out-of-range or missing variable of a distributed job is an Error naming it.
RankEnvironment rank_environment();

// The threads one rank should use when the user left --threads at 0 (all cores): the cores
// shared among the ranks of this machine.
int default_threads_per_rank(const RankEnvironment& env);

// One Gloo group over TCP. Collectives throw lrpseg::Error naming this rank when a peer is gone
// (its sockets close: the error comes at once) or does not answer within the timeout.
class ProcessGroup {
 public:
  // Rendezvous at MASTER_ADDR:MASTER_PORT (rank 0 serves the store) and connect all ranks.
  static std::unique_ptr<ProcessGroup> join(const RankEnvironment& env,
                                            std::chrono::seconds timeout);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const;
  int size() const;

  // Sums `tensors` (float32 or float64, contiguous, the same list on every rank) over the ranks,
  // in place: packed into flat buckets of at most `bucket_bytes` (like DDP's gradient buckets),
  // one all-reduce per bucket. The group is Gloo's: tensors on a GPU are reduced through host
  // memory (a bucket copied to the CPU and back), which NCCL would avoid.
  void all_reduce_sum(const std::vector<torch::Tensor>& tensors, int64_t bucket_bytes = int64_t(25)
                                                                                        << 20);
  // Every rank's `t` (same shape and type everywhere), in rank order.
  std::vector<torch::Tensor> all_gather(const torch::Tensor& t);
  // Every rank's `text` (any length), in rank order: how ranks hand their results to rank 0.
  std::vector<std::string> all_gather_text(const std::string& text);
  // Rank 0's values of `tensors` copied into every rank's.
  void broadcast(const std::vector<torch::Tensor>& tensors);
  void barrier();

 private:
  struct Impl;
  explicit ProcessGroup(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Whether item `index` of a list shared round-robin among the ranks is this rank's (every item
// without a group).
inline bool owns_item(const ProcessGroup* group, size_t index) {
  return group == nullptr ||
         index % static_cast<size_t>(group->size()) == static_cast<size_t>(group->rank());
}

// Completes `items` (one JSON value per item of a list shared with owns_item) on every rank:
// each rank sends the items it owns; null where another rank owns one. Throws when an item is
// still null afterwards (no rank computed it). Nothing to do without a group.
void gather_owned_items(std::vector<nlohmann::json>& items, ProcessGroup* group);

}  // namespace lrpseg
