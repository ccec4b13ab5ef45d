#include "analysis/sweep_table.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "util/error.h"

namespace lrpseg {

bool PrecisionColumns::operator==(const PrecisionColumns& o) const {
  return other_value == o.other_value && pearson == o.pearson && spearman == o.spearman &&
         max_relative_error == o.max_relative_error;
}

bool SweepRow::operator==(const SweepRow& o) const {
  return series == o.series && model == o.model && case_name == o.case_name && filter == o.filter &&
         channel == o.channel && metric == o.metric && value == o.value && check == o.check;
}

std::optional<double> SweepSummary::largest_shift(const std::string& filter) const {
  std::optional<double> largest;
  for (const auto& [key, c] : cells) {
    if (std::get<1>(key) != filter || !c.precision_shift) continue;
    largest = std::max(largest.value_or(0.0), std::abs(*c.precision_shift));
  }
  return largest;
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
  }
  for (auto& [key, c] : s.cells) {
    if (c.defined > 0) c.mean = sums[key] / c.defined;
    auto shift = shifts.find(key);
    if (shift != shifts.end()) {
      const auto [sum, count] = shift->second;
      c.precision_shift = count > 0 ? sum / count : 0.0;
    }
  }
  return s;
}

namespace {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char ch : text) {
    if (ch == '"') quoted += '"';
    quoted += ch;
  }
  return quoted + "\"";
}

std::string format_value(double value) {
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

// Splits one CSV line, honouring double-quoted fields ("" inside is a quote).
std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        fields.back() += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      fields.emplace_back();
    } else {
      fields.back() += ch;
    }
  }
  return fields;
}

const char* kSweepHeader = "series,model,case,filter,channel,metric,value";
const char* kPrecisionColumns = ",value_other_precision,pearson,spearman,max_relative_error";

std::optional<double> parse_optional(const std::string& field, const std::string& where,
                                     const std::string& what) {
  if (field.empty()) return std::nullopt;
  double value = 0;
  const char* end = field.data() + field.size();
  auto result = std::from_chars(field.data(), end, value);
  if (result.ec != std::errc() || result.ptr != end) {
    throw Error(where + ": " + what + " '" + field + "' is not a number");
  }
  return value;
}

double parse_required(const std::string& field, const std::string& where, const std::string& what) {
  const std::optional<double> value = parse_optional(field, where, what);
  if (!value) throw Error(where + ": " + what + " is empty");
  return *value;
}

}  // namespace

std::string sweep_csv(const std::vector<SweepRow>& rows) {
  const bool checked =
      std::any_of(rows.begin(), rows.end(), [](const SweepRow& r) { return r.check.has_value(); });
  std::string out = std::string(kSweepHeader) + (checked ? kPrecisionColumns : "") + "\n";
  for (const auto& r : rows) {
    out += csv_field(r.series) + "," + csv_field(r.model) + "," + csv_field(r.case_name) + "," +
           csv_field(r.filter) + "," + csv_field(r.channel) + "," + csv_field(r.metric) + ",";
    if (r.value) out += format_value(*r.value);
    if (checked) {
      out += ",";
      if (r.check) {
        if (r.check->other_value) out += format_value(*r.check->other_value);
        out += "," + format_value(r.check->pearson) + "," + format_value(r.check->spearman) + "," +
               format_value(r.check->max_relative_error);
      } else {
        out += ",,,";
      }
    }
    out += "\n";
  }
  return out;
}

std::vector<SweepRow> parse_sweep_csv(const std::string& text, const std::string& source) {
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const bool checked = line == std::string(kSweepHeader) + kPrecisionColumns;
  if (line != kSweepHeader && !checked) {
    throw Error(source + ": not a sweep table (expected the header '" + kSweepHeader + "')");
  }
  const size_t columns = checked ? 11 : 7;
  std::vector<SweepRow> rows;
  for (int number = 2; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto f = split_csv_line(line);
    const std::string where = source + ":" + std::to_string(number);
    if (f.size() != columns) {
      throw Error(where + ": expected " + std::to_string(columns) + " fields, found " +
                  std::to_string(f.size()));
    }
    SweepRow row{f[0], f[1], f[2], f[3], f[4], f[5], parse_optional(f[6], where, "value"), {}};
    if (checked && !f[8].empty()) {
      PrecisionColumns c;
      c.other_value = parse_optional(f[7], where, "value_other_precision");
      c.pearson = parse_required(f[8], where, "pearson");
      c.spearman = parse_required(f[9], where, "spearman");
      c.max_relative_error = parse_required(f[10], where, "max_relative_error");
      row.check = c;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

namespace {

bool has_precision_check(const SweepSummary& s) {
  return std::any_of(s.cells.begin(), s.cells.end(),
                     [](const auto& cell) { return cell.second.precision_shift.has_value(); });
}

}  // namespace

std::string summary_csv(const SweepSummary& s) {
  const bool checked = has_precision_check(s);
  std::string out = std::string("metric,filter,series,mean,defined,undefined") +
                    (checked ? ",precision_shift" : "") + "\n";
  for (const auto& metric : s.metrics) {
    for (const auto& filter : s.filters) {
      for (const auto& series : s.series) {
        const SummaryCell* c = s.cell(metric, filter, series);
        if (c == nullptr) continue;
        out += csv_field(metric) + "," + csv_field(filter) + "," + csv_field(series) + ",";
        if (c->defined > 0) out += format_value(c->mean);
        out += "," + std::to_string(c->defined) + "," + std::to_string(c->undefined);
        if (checked) out += "," + (c->precision_shift ? format_value(*c->precision_shift) : "");
        out += "\n";
      }
    }
  }
  return out;
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
  const bool checked = has_precision_check(s);
  if (checked) {
    header += " stability |";
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
  if (any_undefined) {
    out +=
        " Undefined values (|b| + s = 0, e.g. an empty ground truth) are left out of the means "
        "and counted in parentheses.";
  }
  return out + "\n";
}

}  // namespace lrpseg
