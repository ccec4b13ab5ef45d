#pragma once
// The main job (`lrpseg demo`): synthesise an ISLES-format dataset, train a
// CPU-sized U-Net, segment the held-out cases, run the paper's 16-filter sweep
// and write the report — minutes on 2 cores.
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lrpseg {

struct DemoOptions {
  std::string out_dir = "demo_out";
  int training_cases = 16;
  int held_out_cases = 4;
  int epochs = 30;
  int64_t width = 8;
  std::array<int64_t, 3> size_dhw{19, 48, 48};  // series A of the paper
  int viewer_cases = 2;
  std::string display = "radiological";  // Figure 1 and the viewer (experiment "display")
  bool evaluate = true;  // `evaluate` of the model on the held-out cases (demo_evaluate_json)
  int threads = 0;
  torch::Device device = torch::kCPU;
  uint64_t seed = 0;
  bool quiet = false;

  // About a minute on 2 cores: fewer cases and epochs.
  static DemoOptions quick();
};

struct DemoResult {
  std::string report;                     // path of report.html
  double mean_dice = -1;                  // held-out cases
  std::vector<std::string> best_filters;  // best filter per inclusivity (and series)
};

// The demo's "evaluate" block, every metric family at a demo budget: the first
// two held-out cases, LRP raw and four of the paper's filters (the Figure-1
// pair and the strongest of each family) with gradient × input, 10
// perturbation steps, 3 randomisation checkpoints, 3 noisy inputs, α0 on an
// 8-value grid. `lrpseg evaluate`'s defaults are the full version.
nlohmann::json demo_evaluate_json(const DemoOptions& options);

// The demo as an experiment config (the JSON `lrpseg experiment --config` takes):
// synthesised cases, one series-A model, the paper's 16 filters in float64 with
// the precision check, Figure 1 of the first held-out case, the viewer.
nlohmann::json demo_config_json(const DemoOptions& options);

// run_experiment of demo_config_json.
DemoResult run_demo(const DemoOptions& options);

}  // namespace lrpseg
