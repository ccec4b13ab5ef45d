#include "util/text.h"

#include <gtest/gtest.h>

namespace lrpseg {
namespace {

TEST(Text, TrimRemovesSurroundingWhitespaceOnly) {
  EXPECT_EQ(trim("  a b\t\n"), "a b");
  EXPECT_EQ(trim(" \t "), "");
  EXPECT_EQ(trim("x"), "x");
}

TEST(Text, ParseDoubleAcceptsTheWholeTextOnly) {
  EXPECT_EQ(parse_double("0.25"), 0.25);
  EXPECT_EQ(parse_double("-1e-3"), -1e-3);
  EXPECT_FALSE(parse_double("").has_value());
  EXPECT_FALSE(parse_double("1.5x").has_value());
  EXPECT_FALSE(parse_double(" 1").has_value());
  EXPECT_FALSE(parse_double("abc").has_value());
}

TEST(Text, SplitListTrimsEachItemAndKeepsEmptyOnes) {
  EXPECT_EQ(split_list("a, b ,c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split_list(""), (std::vector<std::string>{""}));
  EXPECT_EQ(split_list("1,,2"), (std::vector<std::string>{"1", "", "2"}));
  EXPECT_EQ(split_list("x;y", ';'), (std::vector<std::string>{"x", "y"}));
}

}  // namespace
}  // namespace lrpseg
