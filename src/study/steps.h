#pragma once
// Steps shared by `demo` and `experiment`: each writes its outputs into a run
// directory and returns the entries of the run's manifest (run.json, read by
// `lrpseg report`).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/sweep.h"
#include "infer/explain_cases.h"
#include "io/isles.h"
#include "lrp/composite.h"
#include "lrp/filters.h"
#include "report/display_orientation.h"
#include "train/trainer.h"

namespace lrpseg {

struct ModelRun {
  std::string name;    // e.g. "A1"
  std::string series;  // e.g. "A"
  std::string dir;     // relative to the run directory, e.g. "models/A1"
  double minutes = 0;  // training time
  double mean_dice = -1;
  std::string dice_csv;  // relative path
  nlohmann::json to_json() const;
  static ModelRun from_json(const nlohmann::json& j);
};

// Trains RUN/models/<name> (skipped when already trained for options.epochs,
// resumed when partly trained), then segments `dice_cases` into
// RUN/segmentations/<name>.
ModelRun train_and_evaluate(TrainOptions options, const std::vector<CaseFiles>& dice_cases,
                            const std::string& run_dir, const std::string& name,
                            const std::string& series);

// The filters of a Figure-1 panel: raw, pass:0-pass_high, clamp:0-clamp_high.
std::vector<Filter> figure1_filters(double pass_high, double clamp_high);

// Figure-1 panel of one case from its explanation with the figure1_filters:
// `modality` at the slice with most lesion, oriented in `display`. Returns a
// manifest figure entry.
nlohmann::json figure1_step(const ModelRun& model, const CaseExplanation& c,
                            const std::string& modality, double pass_high, double clamp_high,
                            DisplayConvention display, const std::string& run_dir);

// Slice-viewer data of one case with every filter of its explanation, oriented in
// `display`. Returns a manifest viewer entry.
nlohmann::json viewer_step(const ModelRun& model, const CaseExplanation& c,
                           DisplayConvention display, const std::string& run_dir);

// Loss and validation Dice per epoch of every model. Returns a manifest figure entry.
nlohmann::json training_curves_step(const std::vector<ModelRun>& models,
                                    const std::string& run_dir);

// The sweep over models × cases with figures; returns the manifest's "sweep" object.
struct SweepStep {
  LrpOptions lrp;
  MetricOptions metrics;
  bool save_relevance = false;
  bool check_precision = false;
  std::optional<RobustnessOptions> robustness;  // robustness columns (one σ)
  MethodOptions methods;
  int threads = 0;
  bool quiet = false;
  ProcessGroup* group = nullptr;  // a rank of a data-parallel sweep (SweepOptions::group)
};
// on_case: as SweepOptions::on_case, with the ModelRun. In a data-parallel sweep
// only rank 0 draws the figures.
nlohmann::json sweep_step(
    const std::vector<ModelRun>& models, const std::vector<CaseFiles>& cases, const SweepStep& step,
    const std::string& run_dir, std::vector<SweepRow>* rows = nullptr,
    const std::function<void(const ModelRun&, const CaseExplanation&)>& on_case = {});

// "best filter per inclusivity" lines for the terminal summary.
std::vector<std::string> best_filters(const SweepSummary& summary);

void write_manifest(const std::string& run_dir, const nlohmann::json& manifest);

// ISO 8601 UTC time, for manifests.
std::string utc_now();

}  // namespace lrpseg
