#pragma once
// The small part of Markdown that the sweep's summary.md uses, rendered to HTML:
// headings, paragraphs, and pipe tables whose **bold** cells mark the best value
// per column.
#include <string>
#include <vector>

namespace lrpseg {

struct MarkdownTable {
  std::vector<std::string> header;
  std::vector<char> align;                     // 'l', 'c', 'r' per column ('l' by default)
  std::vector<std::vector<std::string>> rows;  // cell text with Markdown marks kept
};

// The first pipe table in `markdown`; no table → empty header.
MarkdownTable parse_markdown_table(const std::string& markdown);

// Inline Markdown (**bold**, `code`) to escaped HTML.
std::string markdown_inline_html(const std::string& text);

std::string markdown_table_html(const MarkdownTable& table);

// Every block of `markdown` as HTML: # headings (shifted down by `heading_offset`
// levels), pipe tables, paragraphs.
std::string markdown_html(const std::string& markdown, int heading_offset = 2);

}  // namespace lrpseg
