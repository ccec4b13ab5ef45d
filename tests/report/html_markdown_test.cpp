#include "report/html_markdown.h"

#include <gtest/gtest.h>

namespace lrpseg {
namespace {

const char* kSummary = R"(# Sweep summary

Mean per filter and series.

| filter | A | B |
|:---|---:|---:|
| raw | 0.41 | **0.52** |
| pass:0-0.2 | **0.63** | 0.50 |
)";

TEST(HtmlMarkdown, ParsesTheFirstPipeTable) {
  MarkdownTable t = parse_markdown_table(kSummary);
  EXPECT_EQ(t.header, (std::vector<std::string>{"filter", "A", "B"}));
  EXPECT_EQ(t.align, (std::vector<char>{'l', 'r', 'r'}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[1][1], "**0.63**");
}

TEST(HtmlMarkdown, BoldCellsBecomeStrongBestCells) {
  std::string html = markdown_table_html(parse_markdown_table(kSummary));
  EXPECT_NE(html.find("<td class=\"num best\"><strong>0.63</strong></td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">0.41</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>pass:0-0.2</td>"), std::string::npos);
}

TEST(HtmlMarkdown, BoldValueWithANoteIsStillTheBest) {
  std::string html = markdown_table_html(
      parse_markdown_table("| f | A |\n|---|---:|\n| raw | **0.5000** (2 undefined) |\n"));
  EXPECT_NE(html.find("<td class=\"num best\"><strong>0.5000</strong> (2 undefined)</td>"),
            std::string::npos);
}

TEST(HtmlMarkdown, RendersHeadingsParagraphsAndEscapesText) {
  std::string html = markdown_html("# Title <x>\n\nsome `code` & text\n\n| a |\n|---|\n| 1 |\n", 2);
  EXPECT_NE(html.find("<h3>Title &lt;x&gt;</h3>"), std::string::npos);
  EXPECT_NE(html.find("<p>some <code>code</code> &amp; text</p>"), std::string::npos);
  EXPECT_NE(html.find("<table class=\"data\">"), std::string::npos);
}

TEST(HtmlMarkdown, TextWithoutTableHasNoTable) {
  EXPECT_TRUE(parse_markdown_table("no table | here\n").header.empty());
  EXPECT_EQ(markdown_inline_html("a ** b"), "a ** b");
}

}  // namespace
}  // namespace lrpseg
