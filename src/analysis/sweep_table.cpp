#include "analysis/sweep_table.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <sstream>

#include "util/error.h"

namespace lrpseg {

bool SweepRow::operator==(const SweepRow& o) const {
  return series == o.series && model == o.model && case_name == o.case_name && filter == o.filter &&
         channel == o.channel && metric == o.metric && value == o.value;
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
  std::map<std::tuple<std::string, std::string, std::string>, double> sums;
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
  }
  for (auto& [key, c] : s.cells) {
    if (c.defined > 0) c.mean = sums[key] / c.defined;
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

}  // namespace

std::string sweep_csv(const std::vector<SweepRow>& rows) {
  std::string out = std::string(kSweepHeader) + "\n";
  for (const auto& r : rows) {
    out += csv_field(r.series) + "," + csv_field(r.model) + "," + csv_field(r.case_name) + "," +
           csv_field(r.filter) + "," + csv_field(r.channel) + "," + csv_field(r.metric) + ",";
    if (r.value) out += format_value(*r.value);
    out += "\n";
  }
  return out;
}

std::vector<SweepRow> parse_sweep_csv(const std::string& text, const std::string& source) {
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line != kSweepHeader) {
    throw Error(source + ": not a sweep table (expected the header '" + kSweepHeader + "')");
  }
  std::vector<SweepRow> rows;
  for (int number = 2; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto f = split_csv_line(line);
    const std::string where = source + ":" + std::to_string(number);
    if (f.size() != 7)
      throw Error(where + ": expected 7 fields, found " + std::to_string(f.size()));
    SweepRow row{f[0], f[1], f[2], f[3], f[4], f[5], std::nullopt};
    if (!f[6].empty()) {
      double value = 0;
      const char* end = f[6].data() + f[6].size();
      auto result = std::from_chars(f[6].data(), end, value);
      if (result.ec != std::errc() || result.ptr != end) {
        throw Error(where + ": value '" + f[6] + "' is not a number");
      }
      row.value = value;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string summary_csv(const SweepSummary& s) {
  std::string out = "metric,filter,series,mean,defined,undefined\n";
  for (const auto& metric : s.metrics) {
    for (const auto& filter : s.filters) {
      for (const auto& series : s.series) {
        const SummaryCell* c = s.cell(metric, filter, series);
        if (c == nullptr) continue;
        out += csv_field(metric) + "," + csv_field(filter) + "," + csv_field(series) + ",";
        if (c->defined > 0) out += format_value(c->mean);
        out += "," + std::to_string(c->defined) + "," + std::to_string(c->undefined) + "\n";
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
    out += "\n";
  }
  out +=
      "\nMean over the cases, models and channels of each series; the best filter of each "
      "column in bold.";
  if (any_undefined) {
    out +=
        " Undefined values (|b| + s = 0, e.g. an empty ground truth) are left out of the means "
        "and counted in parentheses.";
  }
  return out + "\n";
}

}  // namespace lrpseg
