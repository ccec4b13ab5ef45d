#pragma once
// The paper's study (`lrpseg experiment --config FILE.json`): for each series,
// train its models, evaluate Dice (Table Annex 1), sweep the filters over the
// configured cases (Fig. 3 table and figures, Fig. 5 plots), Figure-1 panels,
// and the report. Resumable: a finished model is not retrained.
#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analysis/sweep_table.h"
#include "distributed/process_group.h"
#include "report/display_orientation.h"
#include "study/steps.h"

namespace lrpseg {

struct SeriesConfig {
  std::string name;  // "A"
  std::array<int64_t, 3> size_dhw{19, 48, 48};
  int count = 1;      // models A1 … A<count>
  uint64_t seed = 0;  // model i uses seed + i − 1
  int epochs = 80;
  int64_t width = 32;
};

struct ExperimentConfig {
  std::string title = "lrpseg experiment";
  std::string out_dir;                  // run directory
  std::string data_dir;                 // an ISLES-format dataset …
  std::optional<int> synthesize_cases;  // … or synthesised into OUT/data with this many cases
  uint64_t synthesize_seed = 0;
  std::string synthesize_evidence;  // `synth --evidence` list ("": all maps show the lesion)
  std::string train_cases;          // case list ("1-40"); empty: all but val_cases
  std::string val_cases;            // held out; Dice on these when given
  std::string dice_cases;   // Table Annex 1 Dice cases (default: val_cases, else training cases)
  std::string sweep_cases;  // e.g. "1,2,4,7,11,15,27,28,45"
  std::string filters = "paper";
  std::string precision = "double";  // of the sweep, figures and viewer
  std::string composite = "paper";
  bool check_precision = true;  // float32 vs float64 stability in the sweep
  double max_memory_gb = 0;     // the relevance passes' bound (0: 80 % of available)
  // Robustness columns of the sweep ("robustness_sigma", "robustness_samples"):
  // noisy copies of each swept case; off without a σ.
  std::optional<double> robustness_sigma;
  int robustness_samples = 8;
  std::vector<SeriesConfig> series;
  std::string figure_modality = "rCBF";
  std::vector<int> figure_cases;  // Figure-1 panels (default: first sweep case)
  double figure_pass = 0.4;
  double figure_clamp = 0.2;
  int viewer_cases = 2;
  // How Figure 1 and the viewer orient slices ("display": "radiological" | "neurological").
  DisplayConvention display = DisplayConvention::Radiological;
  // The "evaluate" block (study/evaluation_run.h): `lrpseg evaluate` of every
  // model after the sweep, on its "cases" (default: the sweep cases); absent: none.
  std::optional<nlohmann::json> evaluate;
  std::string evaluate_cases;
  int threads = 0;
  torch::Device device = torch::kCPU;  // "device": training, sweep and evaluation
  bool quiet = false;
  // A rank of a data-parallel run (not a config key): rank 0 prepares the data;
  // the networks, the sweep's (model, case) pairs and the evaluated models are
  // shared round-robin; rank 0 draws, writes the manifest and the report.
  ProcessGroup* group = nullptr;
  nlohmann::json raw;  // the file as given, for the report
};

// Parses and validates a config; errors name the file and the key.
ExperimentConfig parse_experiment_config(const nlohmann::json& j, const std::string& source);
ExperimentConfig read_experiment_config(const std::string& path);

struct ExperimentResult {
  std::string report;            // path of report.html
  std::vector<ModelRun> models;  // with their mean Dice
  SweepSummary summary;          // of the sweep
  int explained_again = 0;       // cases Figure 1 / the viewer could not take from the sweep
};

// The steps of study/pipeline.h over the config; `kind` names the run in its
// manifest ("experiment", or "demo" for the demo's preset).
ExperimentResult run_experiment(const ExperimentConfig& config,
                                const std::string& kind = "experiment");

}  // namespace lrpseg
