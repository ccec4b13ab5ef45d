#include "util/csv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "error_of.h"

namespace lrpseg {
namespace {

using test::error_of;

TEST(Csv, ParsesQuotedFieldsCrlfAndSkipsBlankLines) {
  const CsvTable t = parse_csv("a,b,c\r\n1,\"x,\"\"y\"\"\",3\n\n4,5,\"\"\n", "t.csv");
  ASSERT_EQ(t.header, (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0][1], "x,\"y\"");
  EXPECT_EQ(t.rows[1], (std::vector<std::string>{"4", "5", ""}));
  EXPECT_EQ(t.lines, (std::vector<int>{2, 4}));
  EXPECT_EQ(t.column("c"), 2u);
  EXPECT_FALSE(t.column("d").has_value());
}

TEST(Csv, QuotedLineBreakKeepsTheLineNumbersOfLaterRows) {
  const CsvTable t = parse_csv("a,b\n\"two\nlines\",1\n2,x\n", "t.csv");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0][0], "two\nlines");
  EXPECT_EQ(t.where(1), "t.csv:4");
  EXPECT_EQ(error_of([&] { t.number(1, 1); }), "t.csv:4: b 'x' is not a number");
}

TEST(Csv, ErrorsNameTheFileAndLine) {
  EXPECT_EQ(error_of([] { parse_csv("", "e.csv"); }), "e.csv: empty CSV file (no header)");
  EXPECT_EQ(error_of([] { parse_csv("a,b\n1,2\n3\n", "w.csv"); }),
            "w.csv:3: expected 2 fields, found 1");
  EXPECT_EQ(error_of([] { parse_csv("a,b\n1,2,3\n", "w.csv"); }),
            "w.csv:2: expected 2 fields, found 3");
  EXPECT_EQ(error_of([] { parse_csv("a\n\"open\n", "q.csv"); }),
            "q.csv:2: unterminated quoted field");
  const CsvTable t = parse_csv("a,b\n1,\n", "n.csv");
  EXPECT_EQ(error_of([&] { t.require("c"); }), "n.csv: no column 'c'");
  EXPECT_EQ(error_of([&] { t.required_number(0, 1); }), "n.csv:2: b is empty");
  EXPECT_FALSE(t.number(0, 1).has_value());
  EXPECT_EQ(t.required_number(0, 0), 1.0);
}

// Counts read back from CSV go into ints: a value beyond int (found by
// fuzz_parsers in a similar cast) or a fraction is an error naming the cell.
TEST(Csv, CountsAreWholeNumbersInRange) {
  const CsvTable t = parse_csv("n,m\n3,\n2.5,-1\n1e10,nan\n", "c.csv");
  EXPECT_EQ(t.required_count(0, 0), 3);
  EXPECT_EQ(t.count(0, 1), std::nullopt);
  EXPECT_EQ(error_of([&] { t.count(1, 0); }),
            "c.csv:3: n '2.5' is not a count (a whole number from 0)");
  EXPECT_NE(error_of([&] { t.count(1, 1); }).find("'-1' is not a count"), std::string::npos);
  EXPECT_NE(error_of([&] { t.count(2, 0); }).find("'1e10' is not a count"), std::string::npos);
  EXPECT_NE(error_of([&] { t.count(2, 1); }).find("c.csv:4: m"), std::string::npos);
}

TEST(Csv, WrittenLinesReadBackFieldForField) {
  const std::vector<std::string> fields = {"plain", "a,b", "say \"hi\"", "two\nlines", ""};
  const CsvTable t = parse_csv(csv_line({"1", "2", "3", "4", "5"}) + csv_line(fields), "r.csv");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0], fields);
}

TEST(Csv, NumbersReadBackAsTheSameDouble) {
  for (double v : {0.1, 1.0 / 3.0, -2.5e-300, 123456789.123456789, 0.0,
                   std::numeric_limits<double>::denorm_min()}) {
    const CsvTable t = parse_csv("v\n" + csv_number(v) + "\n", "n.csv");
    EXPECT_EQ(t.required_number(0, 0), v) << csv_number(v);
  }
  EXPECT_EQ(csv_number(0.25), "0.25");
  EXPECT_EQ(csv_number(std::optional<double>()), "");
}

}  // namespace
}  // namespace lrpseg
