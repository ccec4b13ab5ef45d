#pragma once
// The sweep's long table (one row per series, model, case, filter, channel and
// metric) and its Fig. 3-like summary: the mean of each metric per filter per
// series. Undefined values are kept as such, excluded from means and counted.
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace lrpseg {

// Metric names of the rows.
inline constexpr const char* kGtInclusivity = "gt_inclusivity";
inline constexpr const char* kInputInclusivity = "input_inclusivity";
inline constexpr const char* kMeanSignal = "mean_signal";
inline constexpr const char* kAreaSignal = "area_signal";

// With a precision check: the same metric in the other precision, and how close
// the two relevance maps of this case and filter are (lrp/precision_check.h).
struct PrecisionColumns {
  std::optional<double> other_value;
  double pearson = 0, spearman = 0, max_relative_error = 0;

  bool operator==(const PrecisionColumns& other) const;
};

// With a robustness check (--robustness-sigma): how this case and filter's map
// moves under input noise of relative size sigma (analysis/robustness.h).
struct RobustnessColumns {
  double sigma = 0, max_sensitivity = 0, pearson = 0, spearman = 0;
  std::optional<double> inclusivity_change;

  bool operator==(const RobustnessColumns& other) const;
};

struct SweepRow {
  std::string series, model, case_name, filter, channel, metric;
  std::optional<double> value;  // nullopt: undefined (e.g. |b| + s == 0)
  std::optional<PrecisionColumns> check;
  std::optional<RobustnessColumns> robustness;

  bool operator==(const SweepRow& other) const;
};

struct SummaryCell {
  double mean = 0;    // over the defined values only
  int defined = 0;    // values averaged
  int undefined = 0;  // values left out
  // With a precision check: mean(other precision) − mean(this one), over the
  // rows defined in both.
  std::optional<double> precision_shift;
  // With a robustness check: the mean correlation of the noisy maps with the
  // clean one, over the rows of the cell.
  std::optional<double> robustness_pearson;
};

// A summary value that moves by more than this between float32 and float64 is
// flagged as unstable.
inline constexpr double kUnstableShift = 0.01;
// A filter whose maps correlate less than this with their noisy recomputations
// is flagged as fragile (the default α0 constraint of `evaluate --select`).
inline constexpr double kFragileCorrelation = 0.9;

struct SweepSummary {
  std::vector<std::string> filters, series, metrics;  // in order of first appearance
  std::map<std::tuple<std::string, std::string, std::string>, SummaryCell>
      cells;  // (metric, filter, series)

  // The cell, or nullptr when no row had that (metric, filter, series).
  const SummaryCell* cell(const std::string& metric, const std::string& filter,
                          const std::string& series) const;
  // The filter with the highest mean for (metric, series) (ties: the first in
  // `filters`), or nullopt when no cell of that column has a defined value.
  std::optional<std::string> best_filter(const std::string& metric,
                                         const std::string& series) const;
  // Whether the sweep ran with a precision check (some cell has a shift).
  bool has_precision_check() const;
  // The largest |precision_shift| of the filter over all columns, or nullopt
  // without a precision check.
  std::optional<double> largest_shift(const std::string& filter) const;
  // The noise σ of the robustness check, or nullopt without one.
  std::optional<double> robustness_sigma;
  // The lowest robustness_pearson of the filter over its columns (the worst
  // series), or nullopt without a robustness check.
  std::optional<double> weakest_robustness(const std::string& filter) const;
};

SweepSummary summarise(const std::vector<SweepRow>& rows,
                       const std::vector<std::string>& metrics = {kGtInclusivity,
                                                                  kInputInclusivity});

// Header "series,model,case,filter,channel,metric,value"; value empty when
// undefined, else the shortest text that reads back as the same double. With a
// precision check (any row has one), four more columns:
// value_other_precision,pearson,spearman,max_relative_error; with a robustness
// check, five more: robustness_sigma,robustness_max_sensitivity,
// robustness_pearson,robustness_spearman,robustness_inclusivity_change.
std::string sweep_csv(const std::vector<SweepRow>& rows);
// Reads sweep_csv's format back; errors name `source` and the line.
std::vector<SweepRow> parse_sweep_csv(const std::string& text, const std::string& source);

// Long form: metric,filter,series,mean,defined,undefined (mean empty when none
// defined), precision_shift with a precision check, and robustness_sigma,
// robustness_pearson with a robustness check.
std::string summary_csv(const SweepSummary& summary);
// Reads summary_csv's format back (filters, series and metrics in order of
// first appearance); errors name `source` and the line.
SweepSummary parse_summary_csv(const std::string& text, const std::string& source);
// The robustness column's text: "fragile 0.3100" below kFragileCorrelation,
// "0.9500" above, "—" without a value; and the caption explaining it.
std::string robustness_text(const std::optional<double>& pearson);
std::string robustness_caption(double sigma);

// Rows = filters, columns = metric × series; the best filter per column in
// bold; cells with undefined values say how many were left out. With a
// precision check, a "stability" column: the largest shift, flagged above
// kUnstableShift; with a robustness check, a "robustness" column: the weakest
// correlation, flagged below kFragileCorrelation.
std::string summary_markdown(const SweepSummary& summary);

}  // namespace lrpseg
