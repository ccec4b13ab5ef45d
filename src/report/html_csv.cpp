#include "report/html_csv.h"

#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {

int CsvTable::column(const std::string& name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return int(i);
  return -1;
}

CsvTable parse_csv(const std::string& text, const std::string& source) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, any = false;
  auto end_record = [&] {
    record.push_back(field);
    field.clear();
    if (any || record.size() > 1 || !record[0].empty()) records.push_back(record);
    record.clear();
    any = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
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
      record.push_back(field);
      field.clear();
    } else if (ch == '\n') {
      end_record();
    } else if (ch != '\r') {
      field += ch;
    }
  }
  if (quoted) throw Error(source + ": unterminated quoted field");
  if (!field.empty() || !record.empty()) end_record();
  if (records.empty()) throw Error(source + ": empty CSV file (no header)");
  CsvTable table;
  table.header = records[0];
  for (size_t r = 1; r < records.size(); ++r) {
    records[r].resize(table.header.size());
    table.rows.push_back(std::move(records[r]));
  }
  return table;
}

CsvTable read_csv(const std::string& path) { return parse_csv(read_text(path), path); }

}  // namespace lrpseg
