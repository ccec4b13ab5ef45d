#include "report/html_table.h"

#include <cmath>
#include <cstdio>

#include "report/html_encode.h"

namespace lrpseg {

namespace {

const char* const kMissing = "\u2014";

}  // namespace

std::string fixed_text(std::optional<double> value, int digits) {
  if (!value || !std::isfinite(*value)) return kMissing;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, *value);
  return buffer;
}

std::string mean_sd_text(const std::vector<double>& values) {
  std::vector<double> v;
  for (double x : values)
    if (std::isfinite(x)) v.push_back(x);
  if (v.empty()) return kMissing;
  double mean = 0, squares = 0;
  for (double x : v) mean += x / static_cast<double>(v.size());
  if (v.size() < 2) return fixed_text(mean, 3);
  for (double x : v) squares += (x - mean) * (x - mean);
  return fixed_text(mean, 3) + " \u00b1 " +
         fixed_text(std::sqrt(squares / static_cast<double>(v.size() - 1)), 3);
}

HtmlCell HtmlCell::number(std::optional<double> value, int digits, bool best) {
  return {fixed_text(value, digits), true, best};
}

HtmlCell HtmlCell::numeric_text(const std::string& text, bool best) {
  return {text.empty() ? kMissing : text, true, best};
}

std::string HtmlTable::html(const std::string& number) const {
  std::string out = "<div class=\"table-wrap\">\n<table class=\"data\">\n";
  if (!caption.empty()) {
    out += "<caption>" + (number.empty() ? "" : "<b>" + html_escape(number) + "</b> ") +
           html_escape(caption) + "</caption>\n";
  }
  out += "<thead><tr>";
  for (const auto& c : columns)
    out += std::string(c.numeric ? "<th class=\"num\">" : "<th>") + html_escape(c.name) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : rows) {
    out += "<tr>";
    for (const auto& cell : row) {
      if (!cell.numeric) {
        out += "<td>" + html_escape(cell.text) + "</td>";
        continue;
      }
      const char* cls = cell.text == kMissing ? "num missing" : cell.best ? "num best" : "num";
      out += std::string("<td class=\"") + cls + "\">" + html_escape(cell.text) + "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</tbody>\n</table>\n</div>\n";
}

}  // namespace lrpseg
