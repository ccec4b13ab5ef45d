#include "report/html_markdown.h"

#include <algorithm>
#include <sstream>

#include "report/html_encode.h"

namespace lrpseg {

namespace {

std::string trim(const std::string& s) {
  size_t begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  size_t end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

bool is_table_line(const std::string& line) {
  std::string t = trim(line);
  return !t.empty() && t.front() == '|';
}

// "| a | b\|c |" → {"a", "b|c"}.
std::vector<std::string> split_cells(const std::string& line) {
  std::string t = trim(line);
  if (!t.empty() && t.front() == '|') t.erase(0, 1);
  if (!t.empty() && t.back() == '|' && (t.size() < 2 || t[t.size() - 2] != '\\')) t.pop_back();
  std::vector<std::string> cells;
  std::string cell;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '\\' && i + 1 < t.size() && t[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (t[i] == '|') {
      cells.push_back(trim(cell));
      cell.clear();
    } else {
      cell += t[i];
    }
  }
  cells.push_back(trim(cell));
  return cells;
}

// A delimiter row: cells of dashes with optional colons, e.g. |:---|--:|
bool is_delimiter_row(const std::vector<std::string>& cells) {
  return std::all_of(cells.begin(), cells.end(), [](const std::string& c) {
    return !c.empty() && c.find('-') != std::string::npos &&
           c.find_first_not_of("-: ") == std::string::npos;
  });
}

char alignment(const std::string& cell) {
  bool left = cell.front() == ':', right = cell.back() == ':';
  return left && right ? 'c' : right ? 'r' : 'l';
}

MarkdownTable parse_table_lines(const std::vector<std::string>& lines) {
  MarkdownTable table;
  if (lines.size() < 2) return table;
  auto delimiter = split_cells(lines[1]);
  if (!is_delimiter_row(delimiter)) return table;
  table.header = split_cells(lines[0]);
  for (size_t c = 0; c < table.header.size(); ++c)
    table.align.push_back(c < delimiter.size() ? alignment(delimiter[c]) : 'l');
  for (size_t i = 2; i < lines.size(); ++i) {
    auto row = split_cells(lines[i]);
    row.resize(table.header.size());
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

MarkdownTable parse_markdown_table(const std::string& markdown) {
  auto lines = lines_of(markdown);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!is_table_line(lines[i])) continue;
    std::vector<std::string> block;
    size_t j = i;
    for (; j < lines.size() && is_table_line(lines[j]); ++j) block.push_back(lines[j]);
    MarkdownTable table = parse_table_lines(block);
    if (!table.header.empty()) return table;
    i = j;
  }
  return {};
}

std::string markdown_inline_html(const std::string& text) {
  std::string out;
  bool bold = false, code = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!code && text.compare(i, 2, "**") == 0) {
      // Only open bold when a closing mark follows, so a stray ** stays literal.
      if (bold || text.find("**", i + 2) != std::string::npos) {
        out += bold ? "</strong>" : "<strong>";
        bold = !bold;
        ++i;
        continue;
      }
    }
    if (text[i] == '`' && (code || text.find('`', i + 1) != std::string::npos)) {
      out += code ? "</code>" : "<code>";
      code = !code;
      continue;
    }
    out += html_escape(std::string(1, text[i]));
  }
  if (code) out += "</code>";
  if (bold) out += "</strong>";
  return out;
}

std::string markdown_table_html(const MarkdownTable& table) {
  auto align_attr = [&](size_t c) -> std::string {
    char a = c < table.align.size() ? table.align[c] : 'l';
    return a == 'r' ? " class=\"num\"" : a == 'c' ? " class=\"center\"" : "";
  };
  std::string html = "<table class=\"data\">\n<thead><tr>";
  for (size_t c = 0; c < table.header.size(); ++c)
    html += "<th" + align_attr(c) + ">" + markdown_inline_html(table.header[c]) + "</th>";
  html += "</tr></thead>\n<tbody>\n";
  for (const auto& row : table.rows) {
    html += "<tr>";
    for (size_t c = 0; c < row.size(); ++c) {
      // "**0.51**" or "**0.51** (2 undefined)": bold at the start marks the best.
      bool best = row[c].rfind("**", 0) == 0 && row[c].find("**", 2) != std::string::npos;
      std::string cls = align_attr(c);
      if (best) cls = cls.empty() ? " class=\"best\"" : cls.substr(0, cls.size() - 1) + " best\"";
      html += "<td" + cls + ">" + markdown_inline_html(row[c]) + "</td>";
    }
    html += "</tr>\n";
  }
  return html + "</tbody>\n</table>\n";
}

std::string markdown_html(const std::string& markdown, int heading_offset) {
  auto lines = lines_of(markdown);
  std::string html, paragraph;
  auto flush = [&] {
    if (!paragraph.empty()) html += "<p>" + markdown_inline_html(paragraph) + "</p>\n";
    paragraph.clear();
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string t = trim(lines[i]);
    if (t.empty()) {
      flush();
    } else if (t.front() == '#') {
      flush();
      size_t level = t.find_first_not_of('#');
      if (level == std::string::npos) continue;
      int h = std::min(6, int(level) + heading_offset);
      html += "<h" + std::to_string(h) + ">" + markdown_inline_html(trim(t.substr(level))) + "</h" +
              std::to_string(h) + ">\n";
    } else if (is_table_line(t)) {
      flush();
      std::vector<std::string> block;
      for (; i < lines.size() && is_table_line(lines[i]); ++i) block.push_back(lines[i]);
      --i;
      MarkdownTable table = parse_table_lines(block);
      if (!table.header.empty()) {
        html += "<div class=\"table-wrap\">" + markdown_table_html(table) + "</div>\n";
      } else {
        for (const auto& line : block) paragraph += (paragraph.empty() ? "" : " ") + trim(line);
        flush();
      }
    } else {
      paragraph += (paragraph.empty() ? "" : " ") + t;
    }
  }
  flush();
  return html;
}

}  // namespace lrpseg
