// The evaluation's tables: the long rows, their summary over cases, and the
// files they are written to and read back from.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <tuple>

#include "evaluation/evaluate.h"
#include "util/atomic_file.h"
#include "util/csv.h"
#include "util/error.h"

namespace lrpseg {

std::pair<std::string, std::string> method_and_filter(const std::string& entry) {
  for (Method m : {Method::Gradient, Method::GradientXInput, Method::IntegratedGradients,
                   Method::SmoothGrad, Method::Occlusion}) {
    if (entry == to_string(m)) return {entry, "-"};
  }
  return {to_string(Method::Lrp), entry};
}

std::vector<EvaluationSummaryRow> summarise(const std::vector<EvaluationRow>& rows) {
  // Keyed in first-seen order, so the summary follows the evaluation's order.
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  std::map<Key, size_t> index;
  std::vector<EvaluationSummaryRow> out;
  std::vector<std::vector<double>> values;
  for (const EvaluationRow& r : rows) {
    const Key key{r.model, r.method, r.filter, r.metric};
    auto [it, added] = index.emplace(key, out.size());
    if (added) {
      out.push_back({r.model, r.method, r.filter, r.metric});
      values.emplace_back();
    }
    if (r.value && std::isfinite(*r.value))
      values[it->second].push_back(*r.value);
    else
      ++out[it->second].undefined;
  }
  for (size_t i = 0; i < out.size(); ++i) {
    const auto& v = values[i];
    out[i].n = static_cast<int>(v.size());
    if (v.empty()) continue;
    double sum = 0;
    for (double x : v) sum += x;
    out[i].mean = sum / static_cast<double>(v.size());
    double squares = 0;
    for (double x : v) squares += (x - out[i].mean) * (x - out[i].mean);
    out[i].sd = v.size() > 1 ? std::sqrt(squares / static_cast<double>(v.size() - 1)) : 0.0;
  }
  return out;
}

std::string evaluation_csv(const std::vector<EvaluationRow>& rows) {
  std::string text = csv_line({"case", "model", "method", "filter", "metric", "value"});
  for (const EvaluationRow& r : rows)
    text += csv_line({r.case_name, r.model, r.method, r.filter, r.metric, csv_number(r.value)});
  return text;
}

std::string evaluation_summary_csv(const std::vector<EvaluationSummaryRow>& rows) {
  std::string text =
      csv_line({"model", "method", "filter", "metric", "mean", "sd", "n", "undefined"});
  for (const EvaluationSummaryRow& r : rows) {
    const std::optional<double> mean = r.n > 0 ? std::optional<double>(r.mean) : std::nullopt;
    const std::optional<double> sd = r.n > 0 ? std::optional<double>(r.sd) : std::nullopt;
    text += csv_line({r.model, r.method, r.filter, r.metric, csv_number(mean), csv_number(sd),
                      std::to_string(r.n), std::to_string(r.undefined)});
  }
  return text;
}

std::string evaluation_summary_markdown(const std::vector<EvaluationSummaryRow>& rows) {
  // The headline metric of each family, in family order; others stay in the CSV.
  std::vector<std::string> columns{
      "mass_accuracy", "rank_accuracy", "pointing_game",      "gt_inclusivity",   "abpc",
      "aopc_morf",     "aopc_lerf",     "evidence_abs_share", "precision_pearson"};
  // Sanity: the deepest randomisation measured (the whole network when all
  // stages are); robustness: every σ.
  std::string deepest;
  for (const std::string& stage : randomisation_stages()) {
    for (const EvaluationSummaryRow& r : rows) {
      if (r.metric == "randomisation_spearman:" + stage) deepest = r.metric;
    }
  }
  if (!deepest.empty()) columns.push_back(deepest);
  for (const EvaluationSummaryRow& r : rows) {
    if (r.metric.rfind("robustness_pearson:", 0) == 0 &&
        std::find(columns.begin(), columns.end(), r.metric) == columns.end())
      columns.push_back(r.metric);
  }
  using Key = std::tuple<std::string, std::string, std::string>;
  std::vector<Key> keys;
  std::map<std::pair<Key, std::string>, const EvaluationSummaryRow*> cell;
  std::vector<std::string> present;
  for (const EvaluationSummaryRow& r : rows) {
    const Key key{r.model, r.method, r.filter};
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
    cell[{key, r.metric}] = &r;
  }
  for (const std::string& c : columns) {
    for (const EvaluationSummaryRow& r : rows) {
      if (r.metric == c) {
        present.push_back(c);
        break;
      }
    }
  }
  std::ostringstream out;
  out << "| model | method | filter |";
  for (const auto& c : present) out << " " << c << " |";
  out << "\n|---|---|---|";
  for (size_t i = 0; i < present.size(); ++i) out << "---|";
  out << "\n";
  for (const Key& key : keys) {
    out << "| " << std::get<0>(key) << " | " << std::get<1>(key) << " | " << std::get<2>(key)
        << " |";
    for (const auto& c : present) {
      const auto it = cell.find({key, c});
      if (it == cell.end()) {
        out << " |";
        continue;
      }
      const EvaluationSummaryRow& r = *it->second;
      char text[96];
      if (r.n == 0)
        std::snprintf(text, sizeof text, "undefined (%d)", r.undefined);
      else if (r.undefined > 0)
        std::snprintf(text, sizeof text, "%.3f ± %.3f (%d undefined)", r.mean, r.sd, r.undefined);
      else
        std::snprintf(text, sizeof text, "%.3f ± %.3f", r.mean, r.sd);
      out << " " << text << " |";
    }
    out << "\n";
  }
  out << "\nmean ± sd over cases; undefined values (e.g. no OT, no lesion predicted) are "
         "counted, never averaged. All metrics: evaluation_summary.csv.\n";
  return out.str();
}

std::vector<EvaluationSummaryRow> read_evaluation_summary(const std::string& path) {
  const CsvTable t = read_csv(path);
  const size_t model = t.require("model"), method = t.require("method"),
               filter = t.require("filter"), metric = t.require("metric"), mean = t.require("mean"),
               sd = t.require("sd"), n = t.require("n"), undefined = t.require("undefined");
  std::vector<EvaluationSummaryRow> out;
  for (size_t i = 0; i < t.rows.size(); ++i) {
    EvaluationSummaryRow r{t.rows[i][model], t.rows[i][method], t.rows[i][filter],
                           t.rows[i][metric]};
    r.n = t.required_count(i, n);
    r.undefined = t.required_count(i, undefined);
    if (r.n > 0) {
      r.mean = t.required_number(i, mean);
      r.sd = t.required_number(i, sd);
    }
    out.push_back(r);
  }
  return out;
}

}  // namespace lrpseg
