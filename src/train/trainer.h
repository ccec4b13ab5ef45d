#pragma once
// Training of the U-Net (DESIGN.md §2): Adam, batch size 1, cross-entropy by
// default, one checkpoint transaction per epoch so that --resume loses at most
// the epoch in progress.
#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/preprocess.h"
#include "distributed/process_group.h"
#include "io/nnunet.h"
#include "train/losses.h"

namespace lrpseg {

struct TrainOptions {
  std::string data_dir;
  DatasetLayout layout = DatasetLayout::Auto;
  bool nan_to_num = false;  // NaN/Inf voxels read as 0 instead of refused
  std::string out_dir;
  PreprocessOptions preprocess;  // size_dhw default 19x48x48, nearest
  int64_t width = 32;
  int epochs = 80;
  double lr = 2e-4;
  double beta1 = 0.5;
  double beta2 = 0.9;
  Loss loss = Loss::CrossEntropy;
  // Samples per optimizer step over all ranks (gradients averaged); 0: one per rank, so 1 for
  // one process (the paper's batch size).
  int batch = 0;
  std::vector<int> cases;      // training case numbers; empty = all not in val_cases
  std::vector<int> val_cases;  // held out, Dice at the case grid after every epoch
  uint64_t seed = 0;
  int threads = 0;                     // 0 = all cores
  torch::Device device = torch::kCPU;  // where the network trains (util/device.h)
  bool amp = false;                    // bfloat16 autocast, CUDA only
  bool resume = false;
  bool quiet = false;

  nlohmann::json to_json() const;
};

struct EpochRecord {
  int epoch = 0;
  double seconds = 0;
  double train_loss = 0;
  double val_dice = -1;  // -1 when there are no validation cases
};

struct TrainResult {
  std::vector<EpochRecord> log;  // all epochs, including those before a resume
  double seconds_per_step = 0;   // of this run's epochs
};

// With a process group, this process is one rank of a data-parallel job (train/data_parallel.h):
// rank 0 checks and recovers the checkpoint directory, validates and writes the checkpoints;
// every rank loads the checkpoint on --resume.
TrainResult train(const TrainOptions& options, ProcessGroup* group = nullptr);

// A global batch the ranks can share (0: one sample each); a UsageError naming --batch otherwise.
void check_batch_for_ranks(int batch, int ranks);

std::string train_log_csv(const std::vector<EpochRecord>& log);
std::vector<EpochRecord> parse_train_log_csv(const std::string& text, const std::string& source);

}  // namespace lrpseg
