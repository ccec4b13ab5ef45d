#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>

#include "io/isles.h"
#include "metrics/dice.h"
#include "model/checkpoint.h"
#include "model/memory_estimate.h"
#include "model/predict.h"
#include "train/data_parallel.h"
#include "util/atomic_file.h"
#include "util/csv.h"
#include "util/device.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/progress.h"
#include "util/threads.h"

namespace lrpseg {

namespace fs = std::filesystem;
using nlohmann::json;

json TrainOptions::to_json() const {
  return {{"data_dir", data_dir},
          {"size_dhw", preprocess.size_dhw},
          {"interpolation", to_string(preprocess.interpolation)},
          {"width", width},
          {"epochs", epochs},
          {"lr", lr},
          {"betas", {beta1, beta2}},
          {"batch_size", std::max(1, batch)},
          {"optimizer", "adam"},
          {"loss", to_string(loss)},
          {"cases", cases},
          {"val_cases", val_cases},
          {"seed", seed},
          {"device", device_name(device)},
          {"amp", amp}};
}

std::string train_log_csv(const std::vector<EpochRecord>& log) {
  std::string out = csv_line({"epoch", "seconds", "train_loss", "val_dice"});
  for (const auto& r : log) {
    out += csv_line({std::to_string(r.epoch), csv_number(r.seconds), csv_number(r.train_loss),
                     r.val_dice >= 0 ? csv_number(r.val_dice) : ""});
  }
  return out;
}

std::vector<EpochRecord> parse_train_log_csv(const std::string& text, const std::string& source) {
  const CsvTable table = parse_csv(text, source);
  const size_t epoch = table.require("epoch"), seconds = table.require("seconds"),
               loss = table.require("train_loss");
  const auto val = table.column("val_dice");
  std::vector<EpochRecord> log;
  for (size_t i = 0; i < table.rows.size(); ++i) {
    EpochRecord r;
    // Compared as a count first: the file may hold any number (fuzz_parsers
    // found 2e33, which the old int cast made undefined).
    const std::optional<double> e = table.number(i, epoch);
    if (!e || !(*e >= 1 && *e <= 1e9 && *e == std::floor(*e)))
      throw Error(table.where(i) + ": epoch must be a positive whole number");
    r.epoch = static_cast<int>(*e);
    r.seconds = table.required_number(i, seconds);
    r.train_loss = table.required_number(i, loss);
    r.val_dice = val ? table.number(i, *val).value_or(-1.0) : -1.0;
    log.push_back(r);
  }
  return log;
}

namespace {

struct Sample {
  std::string name;
  torch::Tensor image;       // (6, d, h, w) preprocessed
  torch::Tensor label;       // (1, d, h, w) int64 at network size
  torch::Tensor case_label;  // (D, H, W) uint8 at the case grid
};

std::vector<Sample> load_samples(const std::vector<CaseFiles>& cases, const PreprocessOptions& pre,
                                 bool quiet, const std::string& what) {
  std::vector<Sample> samples;
  Progress progress("loading " + what, static_cast<int64_t>(cases.size()), quiet);
  for (const auto& files : cases) {
    CaseVolumes v = load_case(files);
    if (!v.label.defined())
      throw Error(files.name + ": has no OT ground truth, cannot train on it");
    Sample s;
    s.name = files.name;
    s.image = preprocess_image(v.image, pre);
    s.label = resize_label(v.label, pre.size_dhw).to(torch::kLong).unsqueeze(0);
    s.case_label = v.label;
    samples.push_back(std::move(s));
    progress.update(static_cast<int64_t>(samples.size()));
  }
  progress.finish();
  return samples;
}

double validate(UNet& net, const std::vector<Sample>& samples) {
  if (samples.empty()) return -1;
  double sum = 0;
  for (const auto& s : samples) {
    std::array<int64_t, 3> grid{s.case_label.size(0), s.case_label.size(1), s.case_label.size(2)};
    sum += dice_score(predict_mask(net, s.image, grid), s.case_label);
  }
  return sum / static_cast<double>(samples.size());
}

// Same order for the same (seed, epoch), so a resumed run continues exactly.
std::vector<size_t> epoch_order(size_t n, uint64_t seed, int epoch) {
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(seed * 1000003ULL + static_cast<uint64_t>(epoch));
  for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  return order;
}

// On --resume, the stored settings that define the model must match.
void check_resume_compatible(const json& stored, const TrainOptions& o, const std::string& dir) {
  const json& t = stored.at("training");
  auto mismatch = [&](const std::string& key, const std::string& was, const std::string& now) {
    throw Error(dir + ": cannot resume, " + key + " was " + was + " and is now " + now);
  };
  if (t.at("width").get<int64_t>() != o.width) {
    mismatch("--width", t.at("width").dump(), std::to_string(o.width));
  }
  if (t.at("size_dhw").get<std::array<int64_t, 3>>() != o.preprocess.size_dhw) {
    mismatch("--size", t.at("size_dhw").dump(), json(o.preprocess.size_dhw).dump());
  }
}

// An absurd --width or --size is refused with the estimate before anything is
// allocated for it. Parameters: weights, gradients and Adam's two moments, about
// 18,600·w² each (19,077,158 at the paper's w = 32); activations: what the
// forward keeps for the backward, measured on the network itself.
void check_training_fits_in_memory(const TrainOptions& o) {
  const int64_t available = available_memory_bytes();
  const double parameters = 0.9 * 18630.0 * double(o.width) * double(o.width);
  check_fits_in_memory(parameters * 4 * 4 < 9e18 ? int64_t(parameters * 4 * 4) : INT64_MAX,
                       available, "--width " + std::to_string(o.width),
                       "training a network of this width");
  UNetOptions architecture;
  architecture.width = o.width;
  UNet probe(architecture);
  check_fits_in_memory(activation_bytes(probe, o.preprocess.size_dhw), available,
                       "--size " + format_size_dhw(o.preprocess.size_dhw),
                       "training a width-" + std::to_string(o.width) + " network at this size");
}

void check_options(const TrainOptions& o) {
  if (o.epochs <= 0) throw UsageError("--epochs: must be positive");
  if (o.batch < 0) throw UsageError("--batch: must be positive");
  if (o.lr <= 0) throw UsageError("--lr: must be positive");
  int64_t bottleneck_voxels = 1;
  for (int64_t s : o.preprocess.size_dhw) bottleneck_voxels *= (s + 7) / 8;
  if (bottleneck_voxels < 2) {
    throw UsageError("--size " + format_size_dhw(o.preprocess.size_dhw) +
                     ": too small, the U-Net's bottleneck would hold one voxel, on which batch "
                     "normalisation cannot train");
  }
  check_amp(o.amp, o.device);
  check_training_fits_in_memory(o);
  recover_checkpoint(o.out_dir);
  const bool has_checkpoint = fs::exists(fs::path(o.out_dir) / "model.json");
  if (o.resume && !has_checkpoint) {
    throw Error(o.out_dir + ": no checkpoint to resume from (model.json missing)");
  }
  if (!o.resume && has_checkpoint) {
    throw Error(o.out_dir + ": already holds a checkpoint; use --resume or another --out");
  }
}

struct CaseSplit {
  std::vector<CaseFiles> train, validation;
};

// --cases (default: every training case not in --val-cases) and --val-cases.
CaseSplit split_cases(const TrainOptions& o) {
  const IslesDataset dataset = discover_dataset(o.data_dir, o.layout);
  CaseSplit split;
  if (!o.val_cases.empty()) split.validation = select_cases(dataset, o.val_cases, Split::Training);
  if (!o.cases.empty()) {
    split.train = select_cases(dataset, o.cases, Split::Training);
  } else {
    for (const auto& c : cases_of(dataset, Split::Training)) {
      if (std::find(o.val_cases.begin(), o.val_cases.end(), c.number) == o.val_cases.end())
        split.train.push_back(c);
    }
  }
  if (split.train.empty()) throw Error(o.data_dir + ": no training cases selected");
  for (auto* cases : {&split.train, &split.validation})
    for (CaseFiles& c : *cases) c.non_finite = o.nan_to_num ? NonFinite::ToZero : NonFinite::Refuse;
  return split;
}

// The initial network of --seed, drawn on the CPU (the same start on every device), then moved
// to o.device.
UNet seeded_unet(const TrainOptions& o) {
  torch::manual_seed(o.seed);
  UNet net(UNetOptions{static_cast<int64_t>(kModalities.size()), 2, o.width});
  net->to(o.device);
  return net;
}

// The network, its optimizer and what the checkpoint records, fresh or resumed.
struct Session {
  UNet net;
  torch::optim::Adam optimizer;
  json info;
  TrainResult result;
  int start_epoch = 1;

  explicit Session(const TrainOptions& o)
      : net(seeded_unet(o)),
        optimizer(net->parameters(),
                  torch::optim::AdamOptions(o.lr).betas(std::make_tuple(o.beta1, o.beta2))) {}
};

void resume(Session& s, const TrainOptions& o) {
  const fs::path out(o.out_dir);
  s.info = read_model_info(o.out_dir);
  check_resume_compatible(s.info, o, o.out_dir);
  load_weights((out / "model.pt").string(), s.net);
  load_optimizer(o.out_dir, s.net, s.optimizer);
  s.start_epoch = s.info.at("epoch").get<int>() + 1;
  const fs::path log_path = out / "train_log.csv";
  if (fs::exists(log_path))
    s.result.log = parse_train_log_csv(read_text(log_path.string()), log_path.string());
}

void describe_model(Session& s, const TrainOptions& o) {
  s.info["format"] = "lrpseg-checkpoint/1";
  s.info["architecture"] = architecture_json(s.net->options());
  s.info["preprocessing"] = {{"scaling", "min-max per volume to [0,1]"},
                             {"size_dhw", o.preprocess.size_dhw},
                             {"interpolation", to_string(o.preprocess.interpolation)},
                             {"label_interpolation", "nearest"}};
  s.info["modalities"] = std::vector<std::string>(kModalities.begin(), kModalities.end());
  s.info["training"] = o.to_json();
}

// One pass over the training cases in the epoch's order, in steps of o.batch samples shared
// among the ranks; the mean loss.
double train_epoch(Session& s, const std::vector<Sample>& samples, const TrainOptions& o, int epoch,
                   Progress& progress, ProcessGroup* group) {
  s.net->train();
  const int rank = group ? group->rank() : 0, ranks = group ? group->size() : 1;
  const size_t n = samples.size(), batch = static_cast<size_t>(o.batch);
  const auto order = epoch_order(n, o.seed, epoch);
  const auto parameters = s.net->parameters();
  RunningStatistics statistics(*s.net);
  const int64_t done_before = (epoch - s.start_epoch) * static_cast<int64_t>(n);
  double loss_sum = 0;
  for (size_t step = 0; step * batch < n; ++step) {
    const StepShare share = share_of_step(n, batch, step, rank, ranks);
    const torch::Tensor statistics_before = group ? statistics.flat().clone() : torch::Tensor();
    s.optimizer.zero_grad();
    double local_loss = 0;
    for (size_t i = share.first; i < share.last; ++i) {
      const Sample& sample = samples[order[i]];
      torch::Tensor loss;
      {
        const BFloat16Autocast autocast(o.amp);
        const torch::Tensor y = s.net->forward(sample.image.unsqueeze(0).to(o.device));
        loss = segmentation_loss(y.to(torch::kFloat), sample.label.to(o.device), o.loss);
      }
      loss.backward();
      local_loss += loss.item<double>();
    }
    loss_sum += average_step_gradients(group, parameters, local_loss, share.step_samples);
    if (group) {
      const int64_t own = share.samples_per_rank[static_cast<size_t>(rank)];
      statistics.assign(compose_running_statistics(statistics_before,
                                                   group->all_gather(statistics.flat()),
                                                   share.samples_per_rank, statistics.momentum()));
      statistics.count_batches(static_cast<int64_t>(share.step_samples) - own);
    }
    s.optimizer.step();
    const size_t done = step * batch + share.step_samples;
    char status[96];
    std::snprintf(status, sizeof status, "epoch %d/%d loss %.4f", epoch, o.epochs,
                  loss_sum / static_cast<double>(done));
    progress.update(done_before + static_cast<int64_t>(done), status);
  }
  return loss_sum / static_cast<double>(n);
}

void save_epoch(Session& s, const TrainOptions& o, const EpochRecord& record,
                double seconds_per_step) {
  s.info["epoch"] = record.epoch;
  double total = 0;
  for (const auto& r : s.result.log) total += r.seconds;
  s.info["metrics"] = {{"train_loss", record.train_loss},
                       {"val_dice", record.val_dice >= 0 ? json(record.val_dice) : json(nullptr)},
                       {"seconds_per_step", seconds_per_step},
                       {"train_seconds", total}};
  save_checkpoint(o.out_dir, s.net,
                  {s.info, &s.optimizer, {{"train_log.csv", train_log_csv(s.result.log)}}});
}

std::string final_status(const EpochRecord& last) {
  char status[96];
  if (last.val_dice >= 0) {
    std::snprintf(status, sizeof status, "loss %.4f val Dice %.3f", last.train_loss, last.val_dice);
  } else {
    std::snprintf(status, sizeof status, "loss %.4f", last.train_loss);
  }
  return status;
}

}  // namespace

void check_batch_for_ranks(int batch, int ranks) {
  if (batch % ranks != 0) {
    throw UsageError("--batch " + std::to_string(batch) + ": must be a multiple of the " +
                     std::to_string(ranks) + " ranks (--nproc or WORLD_SIZE)");
  }
}

// The steps of nnU-Net's trainer: check and set up (fresh or resumed), load the
// cases, then per epoch train, validate and checkpoint. In a data-parallel job
// rank 0 alone touches the checkpoint directory; the others wait for its checks.
TrainResult train(const TrainOptions& options, ProcessGroup* group) {
  TrainOptions o = options;
  const int rank = group ? group->rank() : 0, ranks = group ? group->size() : 1;
  check_batch_for_ranks(o.batch, ranks);
  if (o.batch == 0) o.batch = ranks;
  if (rank == 0) check_options(o);
  if (rank != 0) o.quiet = true;
  if (group) group->barrier();  // rank 0's checks and recovery come before anyone reads
  configure_threads(o.threads);
  const CaseSplit split = split_cases(o);
  Session s(o);
  if (o.resume) resume(s, o);
  describe_model(s, o);
  s.info["training"]["processes"] = ranks;
  if (s.start_epoch > o.epochs) {
    if (!o.quiet)
      std::fprintf(stderr, "%s: already trained for %d epochs\n", o.out_dir.c_str(), o.epochs);
    return s.result;
  }
  if (group) {  // one starting point, whatever each rank read
    std::vector<torch::Tensor> state = s.net->parameters();
    for (const auto& b : s.net->buffers()) state.push_back(b);
    torch::NoGradGuard no_grad;
    group->broadcast(state);
  }
  const auto samples = load_samples(split.train, o.preprocess, o.quiet, "training cases");
  const auto val_samples =
      rank == 0 ? load_samples(split.validation, o.preprocess, o.quiet, "validation cases")
                : std::vector<Sample>();

  const int64_t samples_per_epoch = static_cast<int64_t>(samples.size());
  const int64_t steps_per_epoch = (samples_per_epoch + o.batch - 1) / o.batch;
  Progress progress("train", (o.epochs - s.start_epoch + 1) * samples_per_epoch, o.quiet);
  double run_seconds = 0;
  for (int epoch = s.start_epoch; epoch <= o.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    auto seconds_since = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    EpochRecord record;
    record.epoch = epoch;
    record.train_loss = train_epoch(s, samples, o, epoch, progress, group);
    const double train_seconds = seconds_since();
    run_seconds += train_seconds;
    if (rank != 0) continue;
    record.val_dice = validate(s.net, val_samples);
    record.seconds = seconds_since();
    s.result.log.push_back(record);
    save_epoch(s, o, record, train_seconds / static_cast<double>(steps_per_epoch));
  }
  if (rank == 0) progress.finish(final_status(s.result.log.back()));
  const int64_t run_steps = (o.epochs - s.start_epoch + 1) * steps_per_epoch;
  s.result.seconds_per_step = run_seconds / static_cast<double>(run_steps);
  return s.result;
}

}  // namespace lrpseg
