// The filter-sweep section (the paper's Fig. 3 numbers): the typed summary
// (summary.csv) as a table with the best filter per column in bold and, with a
// precision check, a stability column; the sweep figures; links to the data.
#include <cstdio>
#include <filesystem>

#include "analysis/sweep_table.h"
#include "report/assets.h"
#include "report/html_encode.h"
#include "report/html_sections.h"
#include "util/atomic_file.h"

namespace lrpseg {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

HtmlCell summary_cell(const SweepSummary& s, const std::string& metric, const std::string& filter,
                      const std::string& series) {
  const SummaryCell* c = s.cell(metric, filter, series);
  if (c == nullptr) return HtmlCell::numeric_text("");
  std::string text = c->defined > 0 ? fixed_text(c->mean, 4) : "\u2014";
  if (c->undefined > 0) text += " (" + std::to_string(c->undefined) + " undefined)";
  const bool best = c->defined > 0 && s.best_filter(metric, series) == filter;
  return HtmlCell::numeric_text(text, best);
}

HtmlTable summary_table(const SweepSummary& s) {
  const bool checked = s.has_precision_check();
  bool any_undefined = false;
  HtmlTable table{
      "Mean over the cases, models and channels of each series; the best filter of "
      "each column in bold.",
      {{"Filter", false}},
      {}};
  for (const auto& metric : s.metrics)
    for (const auto& series : s.series) table.columns.push_back({metric + " " + series, true});
  if (checked) table.columns.push_back({"Stability", true});
  const bool robust = s.robustness_sigma.has_value();
  if (robust) table.columns.push_back({"Robustness", true});
  for (const auto& filter : s.filters) {
    std::vector<HtmlCell> row = {HtmlCell::label(filter)};
    for (const auto& metric : s.metrics) {
      for (const auto& series : s.series) {
        row.push_back(summary_cell(s, metric, filter, series));
        const SummaryCell* c = s.cell(metric, filter, series);
        any_undefined = any_undefined || (c && c->undefined > 0);
      }
    }
    if (checked) {
      const std::optional<double> shift = s.largest_shift(filter);
      row.push_back(HtmlCell::numeric_text(
          shift ? (*shift > kUnstableShift ? "unstable " : "") + fixed_text(shift, 4) : ""));
    }
    if (robust)
      row.push_back(HtmlCell::numeric_text(robustness_text(s.weakest_robustness(filter))));
    table.rows.push_back(std::move(row));
  }
  if (checked) {
    table.caption +=
        " Stability: the largest change of a mean in this row between float32 and float64 "
        "relevance; above 0.01 the filter is marked unstable (its numbers partly measure "
        "rounding).";
  }
  if (robust) table.caption += " " + robustness_caption(*s.robustness_sigma);
  if (any_undefined) {
    table.caption +=
        " Undefined values (|b| + s = 0, e.g. an empty ground truth) are left out of the means "
        "and counted in parentheses.";
  }
  return table;
}

std::string human_size(uintmax_t bytes) {
  char buffer[32];
  if (bytes < 1024) return std::to_string(bytes) + " B";
  if (bytes < 1024 * 1024)
    std::snprintf(buffer, sizeof buffer, "%.1f KiB", bytes / 1024.0);
  else
    std::snprintf(buffer, sizeof buffer, "%.1f MiB", bytes / (1024.0 * 1024.0));
  return buffer;
}

std::string data_links(const ReportContext& run, const json& sweep) {
  std::string links;
  for (const auto& [key, label] : std::vector<std::pair<const char*, const char*>>{
           {"csv", "every case, model, filter, channel and metric"},
           {"summary_csv", "the summary table"},
           {"summary_md", "the summary table, Markdown"}}) {
    const std::string relative = text_of(sweep, key);
    if (relative.empty()) continue;
    const fs::path path = run.file(relative, std::string("sweep ") + key);
    links += fragment("data-file", {{"href", html_escape(url_path(relative))},
                                    {"name", html_escape(relative)},
                                    {"label", html_escape(label)},
                                    {"size", human_size(fs::file_size(path))}});
  }
  if (links.empty()) return "";
  return fragment("data-files", {{"items", links}});
}

}  // namespace

HtmlSection sweep_section(ReportContext& run) {
  auto it = run.manifest.find("sweep");
  if (it == run.manifest.end() || !it->is_object()) return {};
  const json& sweep = *it;
  std::string html;
  const std::string summary_csv = text_of(sweep, "summary_csv");
  if (!summary_csv.empty()) {
    const std::string path = run.file(summary_csv, "sweep summary").string();
    html += run.table(summary_table(parse_summary_csv(read_text(path), path)));
  }
  for (const auto& f : run.entries(sweep, "figures")) html += run.figure(f, "sweep figure");
  html += data_links(run, sweep);
  if (html.empty()) return {};
  return {"sweep", "Filter sweep", html};
}

}  // namespace lrpseg
