#pragma once
// The one CSV module: every table lrpseg writes (sweep.csv, summary.csv,
// dice.csv, train_log.csv) goes out through csv_line/csv_number and comes back
// through parse_csv, with errors that name the file and line.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace lrpseg {

struct CsvTable {
  std::string source;  // the file (or other origin) named in errors
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each exactly as wide as the header
  std::vector<int> lines;                      // the line each row starts on

  // Index of column `name`, or nullopt.
  std::optional<size_t> column(const std::string& name) const;
  // Index of column `name`; throws lrpseg::Error naming the source when absent.
  size_t require(const std::string& name) const;
  // "source:line" of row `row`, for errors.
  std::string where(size_t row) const;

  // The field as a number: nullopt when empty; throws naming source, line and
  // column when it is not a number.
  std::optional<double> number(size_t row, size_t column) const;
  // As number(), but an empty field throws too.
  double required_number(size_t row, size_t column) const;
  // The field as a non-negative whole number (a count, up to 2^31): nullopt when
  // empty; throws naming source, line and column otherwise.
  std::optional<int> count(size_t row, size_t column) const;
  int required_count(size_t row, size_t column) const;
};

// RFC 4180: commas, "quoted" fields with "" escapes, \n or \r\n rows; empty
// lines are skipped. Rows narrower or wider than the header throw, naming
// `source` and the line.
CsvTable parse_csv(const std::string& text, const std::string& source);
CsvTable read_csv(const std::string& path);

// The field quoted when it holds a comma, quote or line break.
std::string csv_field(const std::string& text);
// Fields joined by commas (each through csv_field), with a trailing \n.
std::string csv_line(const std::vector<std::string>& fields);
// The shortest text that reads back as the same double.
std::string csv_number(double value);
// csv_number, or "" for nullopt (undefined / not measured).
std::string csv_number(const std::optional<double>& value);

}  // namespace lrpseg
