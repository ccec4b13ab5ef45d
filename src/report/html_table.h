#pragma once
// Data tables of the report, built from typed values: each cell knows whether
// it is a number (right-aligned), missing (an em dash) or the best of its
// column (bold), so no markup is spliced into text.
#include <optional>
#include <string>
#include <vector>

namespace lrpseg {

struct HtmlCell {
  std::string text;
  bool numeric = false;
  bool best = false;

  static HtmlCell label(const std::string& text) { return {text, false, false}; }
  // A number with `digits` decimals; nullopt or non-finite → missing.
  static HtmlCell number(std::optional<double> value, int digits, bool best = false);
  // Numeric-column text (e.g. "0.412 (3 undefined)"); empty → missing.
  static HtmlCell numeric_text(const std::string& text, bool best = false);
};

struct HtmlColumn {
  std::string name;
  bool numeric = false;
};

struct HtmlTable {
  std::string caption;  // "Table N." is prefixed by ReportContext::table()
  std::vector<HtmlColumn> columns;
  std::vector<std::vector<HtmlCell>> rows;

  // <table class="data"> with an optional <caption> (escaped text after the
  // bold `number` label, e.g. "Table 3."), wrapped for horizontal scrolling.
  std::string html(const std::string& number = "") const;
};

// `value` with `digits` decimals, or an em dash when absent or not finite.
std::string fixed_text(std::optional<double> value, int digits);

// Mean ± SD (sample) of the finite values with 3 decimals; the mean alone for
// one value; an em dash for none.
std::string mean_sd_text(const std::vector<double>& values);

}  // namespace lrpseg
