#include "util/csv.h"

#include <charconv>
#include <cmath>

#include "util/atomic_file.h"
#include "util/error.h"
#include "util/text.h"

namespace lrpseg {

std::optional<size_t> CsvTable::column(const std::string& name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  return std::nullopt;
}

size_t CsvTable::require(const std::string& name) const {
  const auto index = column(name);
  if (!index) throw Error(source + ": no column '" + name + "'");
  return *index;
}

std::string CsvTable::where(size_t row) const {
  return source + ":" + std::to_string(lines.at(row));
}

std::optional<double> CsvTable::number(size_t row, size_t column) const {
  const std::string& field = rows.at(row).at(column);
  if (field.empty()) return std::nullopt;
  const auto value = parse_double(field);
  if (!value) throw Error(where(row) + ": " + header[column] + " '" + field + "' is not a number");
  return value;
}

double CsvTable::required_number(size_t row, size_t column) const {
  const auto value = number(row, column);
  if (!value) throw Error(where(row) + ": " + header[column] + " is empty");
  return *value;
}

std::optional<int> CsvTable::count(size_t row, size_t column) const {
  const auto value = number(row, column);
  if (!value) return std::nullopt;
  if (!(*value >= 0 && *value <= 2147483647.0 && *value == std::floor(*value)))
    throw Error(where(row) + ": " + header[column] + " '" + rows[row][column] +
                "' is not a count (a whole number from 0)");
  return static_cast<int>(*value);
}

int CsvTable::required_count(size_t row, size_t column) const {
  const auto value = count(row, column);
  if (!value) throw Error(where(row) + ": " + header[column] + " is empty");
  return *value;
}

CsvTable parse_csv(const std::string& text, const std::string& source) {
  CsvTable table;
  table.source = source;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, any = false;  // any: the record has a quoted field
  int line = 1, record_line = 1;
  auto end_record = [&] {
    record.push_back(std::move(field));
    field.clear();
    const bool blank = !any && record.size() == 1 && record[0].empty();
    if (!blank) {
      if (table.header.empty()) {
        table.header = std::move(record);
      } else if (record.size() != table.header.size()) {
        throw Error(source + ":" + std::to_string(record_line) + ": expected " +
                    std::to_string(table.header.size()) + " fields, found " +
                    std::to_string(record.size()));
      } else {
        table.rows.push_back(std::move(record));
        table.lines.push_back(record_line);
      }
    }
    record.clear();
    any = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch == '\n') ++line;
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch == '"') {
      quoted = any = true;
    } else if (ch == ',') {
      record.push_back(std::move(field));
      field.clear();
    } else if (ch == '\n') {
      end_record();
      record_line = line;
    } else if (ch != '\r') {
      field += ch;
    }
  }
  if (quoted)
    throw Error(source + ":" + std::to_string(record_line) + ": unterminated quoted field");
  if (!field.empty() || !record.empty() || any) end_record();
  if (table.header.empty()) throw Error(source + ": empty CSV file (no header)");
  return table;
}

CsvTable read_csv(const std::string& path) { return parse_csv(read_text(path), path); }

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char ch : text) {
    if (ch == '"') quoted += '"';
    quoted += ch;
  }
  return quoted + "\"";
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) line += (i ? "," : "") + csv_field(fields[i]);
  return line + "\n";
}

std::string csv_number(double value) {
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string csv_number(const std::optional<double>& value) {
  return value ? csv_number(*value) : std::string();
}

}  // namespace lrpseg
