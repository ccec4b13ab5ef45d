#pragma once
// Small text helpers shared by option parsers and file readers.
#include <optional>
#include <string>
#include <vector>

namespace lrpseg {

// `text` without leading and trailing whitespace.
std::string trim(const std::string& text);

// The items of a `separator`-separated list, each trimmed; "" gives one empty item.
std::vector<std::string> split_list(const std::string& text, char separator = ',');

bool ends_with(const std::string& text, const std::string& suffix);

// `text` up to its first line break (a library's multi-line message in a one-line error).
std::string first_line(const std::string& text);

// The whole of `text` as a double (std::from_chars: no locale, no leading
// space, no trailing characters), or nullopt.
std::optional<double> parse_double(const std::string& text);

}  // namespace lrpseg
