#pragma once
// `lrpseg sweep`: cases × models × filters → the long table of per-channel
// metrics and the Fig. 3-like summary (DESIGN.md §4). Each model is loaded
// once; each case takes one batched relevance pass over all filters.
#include <array>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analysis/metrics.h"
#include "analysis/robustness.h"
#include "analysis/sweep_table.h"
#include "distributed/process_group.h"
#include "infer/explain_cases.h"
#include "io/isles.h"
#include "lrp/composite.h"

namespace lrpseg {

struct SweepModel {
  std::string dir;     // checkpoint directory
  std::string name;    // empty: the folder name
  std::string series;  // empty: series_for_size of the model's input size
};

// The paper's series by network input size: A 19x48x48, B 19x96x96,
// C 19x144x144, X 19x192x192; any other size is named "DxHxW".
std::string series_for_size(const std::array<int64_t, 3>& size_dhw);

struct SweepOptions {
  std::vector<SweepModel> models;
  std::vector<CaseFiles> cases;
  LrpOptions lrp;  // lrp.filters are the swept settings (the CLI defaults to paper_filters())
  MetricOptions metrics;
  std::string out_dir;
  bool save_relevance = false;   // also write OUT/relevance/<model>/<case>/ (explain's layout)
  bool check_precision = false;  // also explain in the other precision: sweep.csv columns
  // Also explain noisy copies of each case at one σ: sweep.csv robustness
  // columns and the summary's robustness column (analysis/explain_run.h).
  std::optional<RobustnessOptions> robustness;
  MethodOptions methods;  // other methods are swept like filters
  int threads = 0;
  bool quiet = false;
  // A rank of a data-parallel job: the (model, case) pairs are shared round-robin, the rows
  // gathered in their order on every rank, and rank 0 writes the files a single process writes.
  ProcessGroup* group = nullptr;
  // Called with each case's explanation (on the rank that explained it) once its rows are taken, so
  // a caller can keep some (Figure 1, the viewer) instead of explaining them again.
  std::function<void(const SweepModel& model, const CaseExplanation& c)> on_case;
};

struct SweepResult {
  std::vector<SweepRow> rows;
  SweepSummary summary;
  std::vector<nlohmann::json> case_dice;  // {model, series, case, dice (null without OT)}
};

// The four metric rows of each channel of one relevance map, channels named
// by kModalities.
std::vector<SweepRow> metric_rows(const std::string& series, const std::string& model,
                                  const std::string& case_name, const std::string& filter,
                                  const std::vector<ChannelMetrics>& channels);

// Writes, atomically, into options.out_dir:
//   sweep.csv     the long table (sweep_csv)
//   summary.csv   mean inclusivity per filter and series (summary_csv)
//   summary.md    the same as a Fig. 3-like table (summary_markdown)
//   dice.csv      model,series,case,dice of the explained predictions
// Throws lrpseg::Error for no models, cases or filters and for two models of one name.
SweepResult run_sweep(const SweepOptions& options);

}  // namespace lrpseg
