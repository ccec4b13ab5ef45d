// The evaluation section: `lrpseg evaluate`'s headline metrics per method and
// filter (evaluation_summary.csv, typed), α0 per filter family, its plots and
// links to its tables.
#include <cmath>
#include <filesystem>
#include <map>

#include "evaluation/evaluate.h"
#include "report/assets.h"
#include "report/html_encode.h"
#include "report/html_sections.h"
#include "util/atomic_file.h"

namespace lrpseg {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Column {
  std::string metric;  // a prefix match for ":"-suffixed families (first σ)
  std::string title;
  bool higher_is_better;  // else the smallest |value| is best (a randomised map should not
                          // correlate)
};

// The headline columns that the summary has, in order.
std::vector<Column> columns_of(const std::vector<EvaluationSummaryRow>& rows) {
  const std::vector<Column> wanted{{"mass_accuracy", "mass acc.", true},
                                   {"rank_accuracy", "rank acc.", true},
                                   {"pointing_game", "pointing", true},
                                   {"abpc", "ABPC", true},
                                   {"randomisation_spearman:b1", "randomised ρ", false},
                                   {"evidence_abs_share", "evidence share", true},
                                   {"precision_pearson", "float32 r", true},
                                   {"robustness_pearson:", "noise r", true}};
  std::vector<Column> out;
  for (Column c : wanted) {
    for (const auto& r : rows) {
      const bool prefix = c.metric.back() == ':';
      if (prefix ? r.metric.rfind(c.metric, 0) == 0 : r.metric == c.metric) {
        if (prefix) {
          c.title += " σ=" + r.metric.substr(c.metric.size());
          c.metric = r.metric;
        }
        out.push_back(c);
        break;
      }
    }
  }
  return out;
}

HtmlTable evaluation_table(const std::vector<EvaluationSummaryRow>& rows) {
  const std::vector<Column> columns = columns_of(rows);
  std::vector<std::pair<std::string, std::string>> keys;  // method, filter
  std::map<std::pair<std::string, std::string>, std::map<std::string, const EvaluationSummaryRow*>>
      cells;
  std::map<std::string, double> best;
  for (const auto& r : rows) {
    if (r.method == "random") continue;
    const auto key = std::make_pair(r.method, r.filter);
    if (!cells.count(key)) keys.push_back(key);
    cells[key][r.metric] = &r;
  }
  for (const Column& c : columns) {
    for (const auto& key : keys) {
      const auto it = cells[key].find(c.metric);
      if (it == cells[key].end() || it->second->n == 0) continue;
      const double v = c.higher_is_better ? it->second->mean : -std::abs(it->second->mean);
      auto b = best.find(c.metric);
      if (b == best.end() || v > b->second) best[c.metric] = v;
    }
  }
  HtmlTable table{
      "Mean over the evaluated cases (undefined values counted in parentheses); "
      "bold: the best of each column (randomised ρ: the closest to 0).",
      {{"Method", false}, {"Filter", false}},
      {}};
  for (const Column& c : columns) table.columns.push_back({c.title, true});
  for (const auto& key : keys) {
    std::vector<HtmlCell> row{HtmlCell::label(key.first), HtmlCell::label(key.second)};
    for (const Column& c : columns) {
      const auto it = cells[key].find(c.metric);
      if (it == cells[key].end()) {
        row.push_back(HtmlCell::numeric_text(""));
        continue;
      }
      const EvaluationSummaryRow& r = *it->second;
      std::string text = r.n > 0 ? fixed_text(r.mean, 3) : "\u2014";
      if (r.undefined > 0) text += " (" + std::to_string(r.undefined) + ")";
      const double score = c.higher_is_better ? r.mean : -std::abs(r.mean);
      row.push_back(HtmlCell::numeric_text(text, r.n > 0 && score == best[c.metric]));
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::string alpha0_note(const ReportContext& run, const json& entry) {
  const std::string relative = text_of(entry, "alpha0_json");
  if (relative.empty()) return "";
  const json j = json::parse(read_text(run.file(relative, "alpha0.json").string()));
  std::string choices, criterion;
  for (const auto& f : j.at("families")) {
    if (!choices.empty()) choices += "; ";
    const std::string family = f.at("family").get<std::string>();
    choices += f.at("alpha0").is_null()
                   ? family + ": no α passes"
                   : family + " [0, " + fixed_text(f.at("alpha0").get<double>(), 4) + "]";
    const json& c = f.at("criterion");
    criterion = "maximise " + c.at("objective").get<std::string>() + " subject to ABPC ≥ raw − " +
                fixed_text(c.at("abpc_tolerance").get<double>(), 2) + "·|raw|, float32 r ≥ " +
                fixed_text(c.at("min_precision_correlation").get<double>(), 2) + ", noise r ≥ " +
                fixed_text(c.at("min_robustness_correlation").get<double>(), 2) +
                " at σ = " + text_of(c, "robustness_sigma");
  }
  return fragment("evaluation-alpha0", {{"criterion", html_escape(criterion)},
                                        {"choices", html_escape(choices)},
                                        {"href", html_escape(url_path(relative))}});
}

}  // namespace

HtmlSection evaluation_section(ReportContext& run) {
  const auto entries = run.entries(run.manifest, "evaluation");
  if (entries.empty()) return {};
  std::string html = fragment("evaluation-note", {});
  for (const json& e : entries) {
    if (entries.size() > 1)
      html += fragment("subheading", {{"text", html_escape("Model " + text_of(e, "model"))}});
    const std::string summary = text_of(e, "summary_csv");
    if (!summary.empty()) {
      const std::string path = run.file(summary, "evaluation summary").string();
      html += run.table(evaluation_table(read_evaluation_summary(path)));
    }
    html += alpha0_note(run, e);
    for (const auto& f : run.entries(e, "figures")) html += run.figure(f, "evaluation figure");
  }
  return {"evaluation", "Evaluation", html};
}

}  // namespace lrpseg
