#include "report/html_table.h"

#include <cmath>
#include <cstdio>

#include "report/assets.h"
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
  std::string caption_html;
  if (!caption.empty()) {
    caption_html = number.empty() ? fragment("caption-unnumbered", {{"text", html_escape(caption)}})
                                  : fragment("caption", {{"number", html_escape(number)},
                                                         {"text", html_escape(caption)}});
  }
  std::string head;
  for (const auto& c : columns)
    head +=
        fragment(c.numeric ? "head-cell-numeric" : "head-cell", {{"text", html_escape(c.name)}});
  std::string rows_html;
  for (const auto& row : rows) {
    std::string cells;
    for (const auto& cell : row) {
      if (!cell.numeric) {
        cells += fragment("cell", {{"text", html_escape(cell.text)}});
        continue;
      }
      const char* cls = cell.text == kMissing ? "num missing" : cell.best ? "num best" : "num";
      cells += fragment("cell-numeric", {{"class", cls}, {"text", html_escape(cell.text)}});
    }
    rows_html += fragment("row", {{"cells", cells}});
  }
  return fragment("table", {{"caption", caption_html}, {"head", head}, {"rows", rows_html}});
}

}  // namespace lrpseg
