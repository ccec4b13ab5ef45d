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

}  // namespace lrpseg
