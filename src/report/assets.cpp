#include "report/assets.h"

#include <set>

#include "util/error.h"

namespace lrpseg {

std::string fill_template(std::string_view text, const std::map<std::string, std::string>& values,
                          const std::string& source) {
  std::string out;
  std::set<std::string> used;
  size_t pos = 0;
  while (true) {
    const size_t open = text.find("{{", pos);
    out.append(text.substr(pos, open == std::string_view::npos ? text.npos : open - pos));
    if (open == std::string_view::npos) break;
    const size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) throw Error(source + ": unclosed {{ placeholder");
    const std::string key(text.substr(open + 2, close - open - 2));
    auto it = values.find(key);
    if (it == values.end()) throw Error(source + ": no value for placeholder {{" + key + "}}");
    out += it->second;
    used.insert(key);
    pos = close + 2;
  }
  for (const auto& [key, value] : values)
    if (!used.count(key)) throw Error(source + ": no placeholder {{" + key + "}}");
  return out;
}

namespace {

// name → text of every fragment, parsed once.
const std::map<std::string, std::string_view>& fragments() {
  static const std::map<std::string, std::string_view> parsed = [] {
    const std::string_view text = report_asset("fragments.html");
    const std::string_view marker = "<!-- fragment: ";
    std::map<std::string, std::string_view> out;
    size_t at = text.find(marker);
    while (at != std::string_view::npos) {
      const size_t name_end = text.find(" -->\n", at);
      if (name_end == std::string_view::npos)
        throw Error("report asset fragments.html: bad marker");
      const std::string name(text.substr(at + marker.size(), name_end - at - marker.size()));
      const size_t begin = name_end + 5;
      const size_t next = text.find(marker, begin);
      out[name] = text.substr(begin, (next == std::string_view::npos ? text.size() : next) - begin);
      at = next;
    }
    return out;
  }();
  return parsed;
}

}  // namespace

std::string fragment(const std::string& name, const std::map<std::string, std::string>& values) {
  const auto it = fragments().find(name);
  if (it == fragments().end())
    throw Error("report asset fragments.html: no fragment '" + name + "'");
  return fill_template(it->second, values, "report fragment " + name);
}

}  // namespace lrpseg
