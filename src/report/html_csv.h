#pragma once
// The small CSV files of a run (train_log.csv, dice.csv, summary.csv), read for
// the report's tables.
#include <string>
#include <vector>

namespace lrpseg {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each padded to the header's width

  // Index of the column `name`, -1 when absent.
  int column(const std::string& name) const;
};

// RFC 4180-style: commas, "quoted" fields with "" escapes, \n or \r\n rows;
// empty lines are skipped. `source` names the file in errors.
CsvTable parse_csv(const std::string& text, const std::string& source);

CsvTable read_csv(const std::string& path);

}  // namespace lrpseg
