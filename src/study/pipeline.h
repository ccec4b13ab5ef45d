#pragma once
// One pipeline for `demo`, `experiment` and `sweep`: a run is a config and a
// list of steps over it. Each step reads what earlier steps left in the Run and
// adds its outputs (files in the run directory, entries of its manifest). The
// demo is a preset experiment config; `sweep` runs the sweep, manifest and
// report steps on models trained elsewhere. Each case is explained once per
// model: the sweep keeps the explanations Figure 1 and the viewer show.
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "analysis/sweep.h"
#include "io/isles.h"
#include "study/experiment.h"
#include "study/steps.h"

namespace lrpseg {

// Explanations kept from the sweep for later steps, by (model, case), each
// restricted to the filters asked for (a paper-sized case grid holds 16 filters
// × 6 channels × 1.3 M voxels; a Figure-1 panel needs 3).
class ExplanationStore {
 public:
  // Asks to keep `filters` (names) of (model, case); asking again adds filters.
  void want(const std::string& model, const std::string& case_name,
            const std::vector<Filter>& filters);
  // Keeps c's wanted filters when (model, case) was asked for and c has them
  // all; anything else is let go.
  void keep(const std::string& model, const CaseExplanation& c);
  // The kept explanation of (model, case) restricted to `lrp.filters`, else a
  // new explanation of the case (counted in explained_again()).
  CaseExplanation get(const ModelRun& model, const CaseFiles& files, const LrpOptions& lrp,
                      const std::string& run_dir);
  int explained_again() const { return explained_again_; }

 private:
  struct Entry {
    std::vector<std::string> filters;
    std::optional<CaseExplanation> explanation;
  };
  std::map<std::pair<std::string, std::string>, Entry> kept_;
  int explained_again_ = 0;
};

struct Run {
  std::string kind;  // "demo", "experiment", "sweep" (the manifest's kind)
  ExperimentConfig config;
  std::filesystem::path dir;
  LrpOptions lrp;  // of the sweep, Figure 1 and the viewer
  SweepStep sweep_options;
  IslesDataset dataset;
  std::string data_dir;
  std::vector<CaseFiles> dice_cases, sweep_cases, figure_cases, evaluate_cases;
  std::vector<ModelRun> models;
  ExplanationStore explanations;
  // Manifest entries, filled by the steps.
  nlohmann::json figures = nlohmann::json::array();
  nlohmann::json sweep;
  nlohmann::json viewer = nlohmann::json::array();
  nlohmann::json evaluation = nlohmann::json::array();
  std::vector<SweepRow> rows;
  std::string report;  // path of report.html
};

using Step = std::function<void(Run&)>;

// A Run of `config` (lrp and sweep settings from it), before any step.
Run make_run(const std::string& kind, const ExperimentConfig& config);

// The steps, in the order an experiment runs them.
void prepare_data(Run& run);        // synthesise if asked, find the cases
void train_models(Run& run);        // train (or keep) each series' models, Dice
void sweep_models(Run& run);        // the filter sweep, keeping what later steps show
void evaluate_models(Run& run);     // `evaluate` of each model (config block "evaluate")
void plot_training(Run& run);       // training curves
void draw_figure1(Run& run);        // Figure-1 panels
void write_viewer(Run& run);        // slice-viewer data
void write_run_manifest(Run& run);  // run.json
void write_run_report(Run& run);    // report.html

// prepare_data, train_models, sweep_models, evaluate_models, plot_training,
// draw_figure1, write_viewer, write_run_manifest, write_run_report.
std::vector<Step> experiment_steps();
void run_steps(Run& run, const std::vector<Step>& steps);
// What a rank of a data-parallel run does (ExperimentConfig::group): rank 0 all
// the steps; the others their share of the training, sweep and evaluation.
std::vector<Step> experiment_steps_of_rank(int rank);

}  // namespace lrpseg
