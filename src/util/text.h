#pragma once
// Small text helpers shared by option parsers and file readers.
#include <optional>
#include <string>

namespace lrpseg {

// `text` without leading and trailing whitespace.
std::string trim(const std::string& text);

bool ends_with(const std::string& text, const std::string& suffix);

// The whole of `text` as a double (std::from_chars: no locale, no leading
// space, no trailing characters), or nullopt.
std::optional<double> parse_double(const std::string& text);

}  // namespace lrpseg
