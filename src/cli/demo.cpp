#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "data/synth.h"
#include "infer/segment.h"
#include "io/isles.h"
#include "train/trainer.h"
#include "util/progress.h"

namespace lrpseg::cli {

namespace fs = std::filesystem;

namespace {

struct DemoOptions {
  std::string out_dir = "demo_out";
  bool quick = false;
  int threads = 0;
  uint64_t seed = 0;
};

// synth → train → segment on synthetic data; prints the held-out Dice.
void run_demo(const DemoOptions& d) {
  const int training = d.quick ? 8 : 16;
  const int validation = 4;
  fs::path out(d.out_dir);
  fs::path data = out / "data";
  if (!fs::exists(data / "training_1")) {
    std::cout << "[1/3] synthesising " << training + validation << " ISLES-format cases into "
              << data.string() << "\n";
    Progress progress("synth", training + validation);
    synthesize_isles({data.string(), training + validation, 0, d.seed},
                     [&](int done, int) { progress.update(done); });
    progress.finish();
  }

  TrainOptions t;
  t.data_dir = data.string();
  t.out_dir = (out / "model").string();
  t.width = 8;
  t.epochs = d.quick ? 6 : 30;
  t.seed = d.seed;
  t.threads = d.threads;
  for (int i = 1; i <= training; ++i) t.cases.push_back(i);
  for (int i = training + 1; i <= training + validation; ++i) t.val_cases.push_back(i);
  t.resume = fs::exists(fs::path(t.out_dir) / "model.json");
  std::cout << "[2/3] training a width-" << t.width << " U-Net at "
            << format_size_dhw(t.preprocess.size_dhw) << " for " << t.epochs << " epochs on "
            << training << " cases\n";
  train(t);

  SegmentOptions s;
  s.model_dir = t.out_dir;
  s.data_dir = t.data_dir;
  s.out_dir = (out / "segmentations").string();
  s.threads = d.threads;
  s.cases = select_cases(discover_isles(t.data_dir), t.val_cases, Split::Training);
  std::cout << "[3/3] segmenting the " << validation << " held-out cases\n";
  auto rows = segment(s);
  double sum = 0;
  for (const auto& r : rows) {
    std::cout << "  " << r.case_name << "  Dice " << r.dice << "  (lesion voxels true "
              << r.true_voxels << ", predicted " << r.predicted_voxels << ")\n";
    sum += r.dice;
  }
  std::cout << "mean held-out Dice " << sum / static_cast<double>(rows.size()) << "\n"
            << "outputs in " << out.string() << "\n";
}

}  // namespace

void add_demo(CLI::App& app) {
  auto* cmd = app.add_subcommand("demo", "The main job: synthesise data, train, segment");
  auto d = std::make_shared<DemoOptions>();
  cmd->add_option("--out", d->out_dir, "Output directory");
  cmd->add_flag("--quick", d->quick, "A one-minute version");
  cmd->add_option("--threads", d->threads, "Threads (0 = all cores)");
  cmd->add_option("--seed", d->seed, "Random seed");
  cmd->callback([d] { run_demo(*d); });
}

}  // namespace lrpseg::cli
