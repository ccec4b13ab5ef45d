#pragma once
// The report's web assets — the page template, its HTML fragments, the
// stylesheet and the slice viewer's JavaScript — kept as real files in src/report/assets/ (linted
// and tested as such) and compiled into the library by cmake/embed_assets.cmake.
#include <map>
#include <string>
#include <string_view>

namespace lrpseg {

// The bytes of src/report/assets/<name>; throws lrpseg::Error for an unknown name.
std::string_view report_asset(const std::string& name);

// `text` with each {{key}} replaced by values.at(key) (inserted as given: the
// caller escapes). A placeholder without a value, or a value without a
// placeholder, throws lrpseg::Error naming `source` and the key.
std::string fill_template(std::string_view text, const std::map<std::string, std::string>& values,
                          const std::string& source);

// The fragment `name` of assets/fragments.html (from its "<!-- fragment: name
// -->" line to the next marker) filled with `values` like fill_template; an
// unknown name throws lrpseg::Error.
std::string fragment(const std::string& name,
                     const std::map<std::string, std::string>& values = {});

}  // namespace lrpseg
