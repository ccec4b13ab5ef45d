#include "analysis/sweep_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "util/csv.h"
#include "util/error.h"

namespace lrpseg {

bool PrecisionColumns::operator==(const PrecisionColumns& o) const {
  return other_value == o.other_value && pearson == o.pearson && spearman == o.spearman &&
         max_relative_error == o.max_relative_error;
}

bool RobustnessColumns::operator==(const RobustnessColumns& o) const {
  return sigma == o.sigma && max_sensitivity == o.max_sensitivity && pearson == o.pearson &&
         spearman == o.spearman && inclusivity_change == o.inclusivity_change;
}

bool SweepRow::operator==(const SweepRow& o) const {
  return series == o.series && model == o.model && case_name == o.case_name && filter == o.filter &&
         channel == o.channel && metric == o.metric && value == o.value && check == o.check &&
         robustness == o.robustness;
}

bool SweepSummary::has_precision_check() const {
  return std::any_of(cells.begin(), cells.end(),
                     [](const auto& cell) { return cell.second.precision_shift.has_value(); });
}

std::optional<double> SweepSummary::largest_shift(const std::string& filter) const {
  std::optional<double> largest;
  for (const auto& [key, c] : cells) {
    if (std::get<1>(key) != filter || !c.precision_shift) continue;
    largest = std::max(largest.value_or(0.0), std::abs(*c.precision_shift));
  }
  return largest;
}

std::optional<double> SweepSummary::weakest_robustness(const std::string& filter) const {
  std::optional<double> weakest;
  for (const auto& [key, c] : cells) {
    if (std::get<1>(key) != filter || !c.robustness_pearson) continue;
    weakest = std::min(weakest.value_or(*c.robustness_pearson), *c.robustness_pearson);
  }
  return weakest;
}

const SummaryCell* SweepSummary::cell(const std::string& metric, const std::string& filter,
                                      const std::string& series_name) const {
  auto it = cells.find({metric, filter, series_name});
  return it == cells.end() ? nullptr : &it->second;
}

std::optional<std::string> SweepSummary::best_filter(const std::string& metric,
                                                     const std::string& series_name) const {
  std::optional<std::string> best;
  double best_mean = 0;
  for (const auto& filter : filters) {
    const SummaryCell* c = cell(metric, filter, series_name);
    if (c == nullptr || c->defined == 0) continue;
    if (!best || c->mean > best_mean) {  // strict: ties keep the first filter
      best = filter;
      best_mean = c->mean;
    }
  }
  return best;
}

namespace {

void add_unique(std::vector<std::string>& list, const std::string& name) {
  if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
}

}  // namespace

SweepSummary summarise(const std::vector<SweepRow>& rows, const std::vector<std::string>& metrics) {
  SweepSummary s;
  s.metrics = metrics;
  using Key = std::tuple<std::string, std::string, std::string>;
  std::map<Key, double> sums;
  std::map<Key, std::pair<double, int>> shifts;  // Σ (other − value), count
  std::map<Key, std::pair<double, int>> robust;  // Σ robustness Pearson, count
  for (const auto& row : rows) {
    if (std::find(metrics.begin(), metrics.end(), row.metric) == metrics.end()) continue;
    add_unique(s.filters, row.filter);
    add_unique(s.series, row.series);
    const auto key = std::make_tuple(row.metric, row.filter, row.series);
    SummaryCell& c = s.cells[key];
    if (row.value) {
      sums[key] += *row.value;
      ++c.defined;
    } else {
      ++c.undefined;
    }
    if (row.check) {
      auto& [sum, count] = shifts[key];
      if (row.value && row.check->other_value) {
        sum += *row.check->other_value - *row.value;
        ++count;
      }
    }
    if (row.robustness) {
      auto& [sum, count] = robust[key];
      sum += row.robustness->pearson;
      ++count;
      s.robustness_sigma = row.robustness->sigma;
    }
  }
  for (auto& [key, c] : s.cells) {
    if (c.defined > 0) c.mean = sums[key] / c.defined;
    auto shift = shifts.find(key);
    if (shift != shifts.end()) {
      const auto [sum, count] = shift->second;
      c.precision_shift = count > 0 ? sum / count : 0.0;
    }
    auto r = robust.find(key);
    if (r != robust.end()) c.robustness_pearson = r->second.first / r->second.second;
  }
  return s;
}

namespace {

const std::vector<std::string> kSweepColumns = {"series",  "model",  "case", "filter",
                                                "channel", "metric", "value"};
const std::vector<std::string> kPrecisionColumns = {"value_other_precision", "pearson", "spearman",
                                                    "max_relative_error"};
const std::vector<std::string> kRobustnessColumns = {
    "robustness_sigma", "robustness_max_sensitivity", "robustness_pearson", "robustness_spearman",
    "robustness_inclusivity_change"};

}  // namespace

std::string sweep_csv(const std::vector<SweepRow>& rows) {
  const bool checked =
      std::any_of(rows.begin(), rows.end(), [](const SweepRow& r) { return r.check.has_value(); });
  const bool robust = std::any_of(rows.begin(), rows.end(),
                                  [](const SweepRow& r) { return r.robustness.has_value(); });
  std::vector<std::string> header = kSweepColumns;
  if (checked) header.insert(header.end(), kPrecisionColumns.begin(), kPrecisionColumns.end());
  if (robust) header.insert(header.end(), kRobustnessColumns.begin(), kRobustnessColumns.end());
  std::string out = csv_line(header);
  for (const auto& r : rows) {
    std::vector<std::string> fields = {r.series,  r.model,  r.case_name,        r.filter,
                                       r.channel, r.metric, csv_number(r.value)};
    if (checked) {
      if (r.check) {
        fields.insert(fields.end(),
                      {csv_number(r.check->other_value), csv_number(r.check->pearson),
                       csv_number(r.check->spearman), csv_number(r.check->max_relative_error)});
      } else {
        fields.resize(fields.size() + kPrecisionColumns.size());
      }
    }
    if (robust) {
      if (r.robustness) {
        const RobustnessColumns& b = *r.robustness;
        fields.insert(fields.end(),
                      {csv_number(b.sigma), csv_number(b.max_sensitivity), csv_number(b.pearson),
                       csv_number(b.spearman), csv_number(b.inclusivity_change)});
      } else {
        fields.resize(fields.size() + kRobustnessColumns.size());
      }
    }
    out += csv_line(fields);
  }
  return out;
}

std::vector<SweepRow> parse_sweep_csv(const std::string& text, const std::string& source) {
  const CsvTable table = parse_csv(text, source);
  // The base columns, then optionally the precision and the robustness columns.
  const auto& h = table.header;
  auto block_at = [&](size_t at, const std::vector<std::string>& block) {
    return h.size() >= at + block.size() && std::equal(block.begin(), block.end(), h.begin() + at);
  };
  const bool base = block_at(0, kSweepColumns);
  size_t at = kSweepColumns.size();
  const bool checked = base && block_at(at, kPrecisionColumns);
  if (checked) at += kPrecisionColumns.size();
  const bool robust = base && block_at(at, kRobustnessColumns);
  if (robust) at += kRobustnessColumns.size();
  if (!base || h.size() != at) {
    throw Error(source +
                ": not a sweep table (expected the header 'series,model,case,filter,channel,"
                "metric,value' and optionally the precision and robustness columns)");
  }
  const size_t r0 = kSweepColumns.size() + (checked ? kPrecisionColumns.size() : 0);
  std::vector<SweepRow> rows;
  for (size_t i = 0; i < table.rows.size(); ++i) {
    const auto& f = table.rows[i];
    SweepRow row{f[0], f[1], f[2], f[3], f[4], f[5], table.number(i, 6), {}, {}};
    if (checked && !f[8].empty()) {
      PrecisionColumns c;
      c.other_value = table.number(i, 7);
      c.pearson = table.required_number(i, 8);
      c.spearman = table.required_number(i, 9);
      c.max_relative_error = table.required_number(i, 10);
      row.check = c;
    }
    if (robust && !f[r0].empty()) {
      RobustnessColumns b;
      b.sigma = table.required_number(i, r0);
      b.max_sensitivity = table.required_number(i, r0 + 1);
      b.pearson = table.required_number(i, r0 + 2);
      b.spearman = table.required_number(i, r0 + 3);
      b.inclusivity_change = table.number(i, r0 + 4);
      row.robustness = b;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string summary_csv(const SweepSummary& s) {
  const bool checked = s.has_precision_check();
  std::vector<std::string> header = {"metric", "filter", "series", "mean", "defined", "undefined"};
  if (checked) header.push_back("precision_shift");
  const bool robust = s.robustness_sigma.has_value();
  if (robust) header.insert(header.end(), {"robustness_sigma", "robustness_pearson"});
  std::string out = csv_line(header);
  for (const auto& metric : s.metrics) {
    for (const auto& filter : s.filters) {
      for (const auto& series : s.series) {
        const SummaryCell* c = s.cell(metric, filter, series);
        if (c == nullptr) continue;
        std::vector<std::string> fields = {metric,
                                           filter,
                                           series,
                                           c->defined > 0 ? csv_number(c->mean) : "",
                                           std::to_string(c->defined),
                                           std::to_string(c->undefined)};
        if (checked) fields.push_back(csv_number(c->precision_shift));
        if (robust)
          fields.insert(fields.end(),
                        {csv_number(s.robustness_sigma), csv_number(c->robustness_pearson)});
        out += csv_line(fields);
      }
    }
  }
  return out;
}

SweepSummary parse_summary_csv(const std::string& text, const std::string& source) {
  const CsvTable table = parse_csv(text, source);
  const size_t metric = table.require("metric"), filter = table.require("filter"),
               series = table.require("series"), mean = table.require("mean"),
               defined = table.require("defined"), undefined = table.require("undefined");
  const auto shift = table.column("precision_shift");
  const auto robust_sigma = table.column("robustness_sigma");
  const auto robust_pearson = table.column("robustness_pearson");
  SweepSummary s;
  for (size_t i = 0; i < table.rows.size(); ++i) {
    const auto& f = table.rows[i];
    add_unique(s.metrics, f[metric]);
    add_unique(s.filters, f[filter]);
    add_unique(s.series, f[series]);
    SummaryCell c;
    c.mean = table.number(i, mean).value_or(0.0);
    c.defined = table.required_count(i, defined);
    c.undefined = table.required_count(i, undefined);
    if (shift) c.precision_shift = table.number(i, *shift);
    if (robust_sigma && robust_pearson) {
      c.robustness_pearson = table.number(i, *robust_pearson);
      if (const auto sigma = table.number(i, *robust_sigma)) s.robustness_sigma = sigma;
    }
    if (c.defined < 0 || c.undefined < 0)
      throw Error(table.where(i) + ": defined and undefined must be counts");
    s.cells[{f[metric], f[filter], f[series]}] = c;
  }
  return s;
}

std::string robustness_text(const std::optional<double>& pearson) {
  if (!pearson) return "—";
  char text[64];
  std::snprintf(text, sizeof text, "%s%.4f", *pearson < kFragileCorrelation ? "fragile " : "",
                *pearson);
  return text;
}

std::string robustness_caption(double sigma) {
  char text[320];
  std::snprintf(text, sizeof text,
                "Robustness: the mean correlation of each map with its recomputation after "
                "multiplying the input by (1 + %g·N(0,1)) inside the brain, the weakest series; "
                "below %.1f the filter is marked fragile (input noise redraws its maps).",
                sigma, kFragileCorrelation);
  return text;
}

std::string summary_markdown(const SweepSummary& s) {
  std::string header = "| filter |";
  std::string rule = "|---|";
  for (const auto& metric : s.metrics) {
    for (const auto& series : s.series) {
      header += " " + metric + " " + series + " |";
      rule += "---:|";
    }
  }
  const bool checked = s.has_precision_check();
  if (checked) {
    header += " stability |";
    rule += "---|";
  }
  const bool robust = s.robustness_sigma.has_value();
  if (robust) {
    header += " robustness |";
    rule += "---|";
  }
  std::string out = header + "\n" + rule + "\n";
  bool any_undefined = false;
  for (const auto& filter : s.filters) {
    out += "| " + filter + " |";
    for (const auto& metric : s.metrics) {
      for (const auto& series : s.series) {
        const SummaryCell* c = s.cell(metric, filter, series);
        std::string text;
        if (c != nullptr) {
          char mean[32];
          std::snprintf(mean, sizeof mean, "%.4f", c->mean);
          text = c->defined == 0 ? "—" : mean;
          if (c->defined > 0 && s.best_filter(metric, series) == filter) text = "**" + text + "**";
          if (c->undefined > 0) {
            text += " (" + std::to_string(c->undefined) + " undefined)";
            any_undefined = true;
          }
        }
        out += " " + text + " |";
      }
    }
    if (checked) {
      const std::optional<double> shift = s.largest_shift(filter);
      char text[64] = "—";
      if (shift) {
        std::snprintf(text, sizeof text, "%s%.4f", *shift > kUnstableShift ? "unstable " : "",
                      *shift);
      }
      out += std::string(" ") + text + " |";
    }
    if (robust) out += " " + robustness_text(s.weakest_robustness(filter)) + " |";
    out += "\n";
  }
  out +=
      "\nMean over the cases, models and channels of each series; the best filter of each "
      "column in bold.";
  if (checked) {
    out +=
        " Stability: the largest change of a mean in this row between float32 and float64 "
        "relevance; above 0.01 the filter is marked unstable (its numbers partly measure "
        "rounding).";
  }
  if (robust) out += " " + robustness_caption(*s.robustness_sigma);
  if (any_undefined) {
    out +=
        " Undefined values (|b| + s = 0, e.g. an empty ground truth) are left out of the means "
        "and counted in parentheses.";
  }
  return out + "\n";
}

}  // namespace lrpseg
