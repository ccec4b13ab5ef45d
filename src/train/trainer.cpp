#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <random>
#include <sstream>

#include "infer/predict.h"
#include "io/isles.h"
#include "model/checkpoint.h"
#include "train/dice.h"
#include "util/atomic_file.h"
#include "util/error.h"
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
          {"batch_size", 1},
          {"optimizer", "adam"},
          {"loss", to_string(loss)},
          {"cases", cases},
          {"val_cases", val_cases},
          {"seed", seed}};
}

std::string train_log_csv(const std::vector<EpochRecord>& log) {
  std::ostringstream out;
  out << "epoch,seconds,train_loss,val_dice\n" << std::setprecision(6);
  for (const auto& r : log) {
    out << r.epoch << "," << r.seconds << "," << r.train_loss << ",";
    if (r.val_dice >= 0) out << r.val_dice;
    out << "\n";
  }
  return out.str();
}

std::vector<EpochRecord> parse_train_log_csv(const std::string& text, const std::string& source) {
  std::vector<EpochRecord> log;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    EpochRecord r;
    std::istringstream fields(line);
    std::string f;
    std::vector<std::string> parts;
    while (std::getline(fields, f, ',')) parts.push_back(f);
    if (parts.size() < 3) throw Error(source + ": malformed row '" + line + "'");
    r.epoch = std::stoi(parts[0]);
    r.seconds = std::stod(parts[1]);
    r.train_loss = std::stod(parts[2]);
    r.val_dice = parts.size() > 3 && !parts[3].empty() ? std::stod(parts[3]) : -1;
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

}  // namespace

TrainResult train(const TrainOptions& o) {
  if (o.epochs <= 0) throw Error("--epochs: must be positive");
  if (o.lr <= 0) throw Error("--lr: must be positive");
  int64_t bottleneck_voxels = 1;
  for (int64_t s : o.preprocess.size_dhw) bottleneck_voxels *= (s + 7) / 8;
  if (bottleneck_voxels < 2) {
    throw Error("--size " + format_size_dhw(o.preprocess.size_dhw) +
                ": too small, the U-Net's bottleneck would hold one voxel, on which batch "
                "normalisation cannot train");
  }
  configure_threads(o.threads);
  fs::path out(o.out_dir);
  recover_checkpoint(o.out_dir);
  bool has_checkpoint = fs::exists(out / "model.json");
  if (o.resume && !has_checkpoint) {
    throw Error(o.out_dir + ": no checkpoint to resume from (model.json missing)");
  }
  if (!o.resume && has_checkpoint) {
    throw Error(o.out_dir + ": already holds a checkpoint; use --resume or another --out");
  }

  IslesDataset dataset = discover_isles(o.data_dir);
  std::vector<CaseFiles> train_files, val_files;
  if (!o.val_cases.empty()) val_files = select_cases(dataset, o.val_cases, Split::Training);
  if (!o.cases.empty()) {
    train_files = select_cases(dataset, o.cases, Split::Training);
  } else {
    for (const auto& c : cases_of(dataset, Split::Training)) {
      if (std::find(o.val_cases.begin(), o.val_cases.end(), c.number) == o.val_cases.end()) {
        train_files.push_back(c);
      }
    }
  }
  if (train_files.empty()) throw Error(o.data_dir + ": no training cases selected");

  torch::manual_seed(o.seed);
  UNet net(UNetOptions{static_cast<int64_t>(kModalities.size()), 2, o.width});
  torch::optim::Adam optimizer(
      net->parameters(), torch::optim::AdamOptions(o.lr).betas(std::make_tuple(o.beta1, o.beta2)));

  TrainResult result;
  int start_epoch = 1;
  json info;
  if (o.resume) {
    info = read_model_info(o.out_dir);
    check_resume_compatible(info, o, o.out_dir);
    load_weights((out / "model.pt").string(), net);
    load_optimizer(o.out_dir, optimizer);
    start_epoch = info.at("epoch").get<int>() + 1;
    fs::path log_path = out / "train_log.csv";
    if (fs::exists(log_path)) {
      result.log = parse_train_log_csv(read_text(log_path.string()), log_path.string());
    }
  }
  info["format"] = "lrpseg-checkpoint/1";
  info["architecture"] = architecture_json(net->options());
  info["preprocessing"] = {{"scaling", "min-max per volume to [0,1]"},
                           {"size_dhw", o.preprocess.size_dhw},
                           {"interpolation", to_string(o.preprocess.interpolation)},
                           {"label_interpolation", "nearest"}};
  info["modalities"] = std::vector<std::string>(kModalities.begin(), kModalities.end());
  info["training"] = o.to_json();
  if (start_epoch > o.epochs) {
    if (!o.quiet)
      std::fprintf(stderr, "%s: already trained for %d epochs\n", o.out_dir.c_str(), o.epochs);
    return result;
  }

  auto samples = load_samples(train_files, o.preprocess, o.quiet, "training cases");
  auto val_samples = load_samples(val_files, o.preprocess, o.quiet, "validation cases");

  const int64_t steps_per_epoch = static_cast<int64_t>(samples.size());
  Progress progress("train", (o.epochs - start_epoch + 1) * steps_per_epoch, o.quiet);
  double run_seconds = 0;
  int64_t run_steps = 0;
  for (int epoch = start_epoch; epoch <= o.epochs; ++epoch) {
    auto t0 = std::chrono::steady_clock::now();
    net->train();
    double loss_sum = 0;
    auto order = epoch_order(samples.size(), o.seed, epoch);
    for (size_t i = 0; i < order.size(); ++i) {
      const Sample& s = samples[order[i]];
      optimizer.zero_grad();
      auto output = net->forward(s.image.unsqueeze(0));
      auto loss = segmentation_loss(output, s.label, o.loss);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>();
      char status[96];
      std::snprintf(status, sizeof status, "epoch %d/%d loss %.4f", epoch, o.epochs,
                    loss_sum / static_cast<double>(i + 1));
      progress.update((epoch - start_epoch) * steps_per_epoch + static_cast<int64_t>(i) + 1,
                      status);
    }
    double train_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    run_seconds += train_seconds;
    run_steps += steps_per_epoch;

    EpochRecord record;
    record.epoch = epoch;
    record.train_loss = loss_sum / static_cast<double>(samples.size());
    record.val_dice = validate(net, val_samples);
    record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    result.log.push_back(record);

    info["epoch"] = epoch;
    info["metrics"] = {{"train_loss", record.train_loss},
                       {"val_dice", record.val_dice >= 0 ? json(record.val_dice) : json(nullptr)},
                       {"seconds_per_step", train_seconds / static_cast<double>(steps_per_epoch)}};
    double total = 0;
    for (const auto& r : result.log) total += r.seconds;
    info["metrics"]["train_seconds"] = total;
    save_checkpoint(o.out_dir, net,
                    {info, &optimizer, {{"train_log.csv", train_log_csv(result.log)}}});
  }
  char status[96];
  const auto& last = result.log.back();
  if (last.val_dice >= 0) {
    std::snprintf(status, sizeof status, "loss %.4f val Dice %.3f", last.train_loss, last.val_dice);
  } else {
    std::snprintf(status, sizeof status, "loss %.4f", last.train_loss);
  }
  progress.finish(status);
  result.seconds_per_step = run_steps > 0 ? run_seconds / static_cast<double>(run_steps) : 0;
  return result;
}

}  // namespace lrpseg
