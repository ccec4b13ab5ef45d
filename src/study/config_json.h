#pragma once
// Reading the keys of a JSON config (experiment configs and their blocks):
// one place for the "wrong type" error that names the config and the key.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/error.h"

namespace lrpseg {

// j[key] as a T, or `fallback` when the key is absent; a value of another type
// throws lrpseg::Error "<where>: '<key>' has the wrong type (<value>)".
template <typename T>
T get_or(const nlohmann::json& j, const char* key, T fallback, const std::string& where) {
  if (!j.contains(key)) return fallback;
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(where + ": '" + key + "' has the wrong type (" + j.at(key).dump() + ")");
  }
}

// A key that is not in `known` throws lrpseg::Error "<where>: unknown key
// '<key>' (known: ...)": a misspelt key would otherwise be silently ignored.
inline void reject_unknown_keys(const nlohmann::json& j, const std::vector<std::string>& known,
                                const std::string& where) {
  if (!j.is_object()) return;
  for (const auto& item : j.items()) {
    if (std::find(known.begin(), known.end(), item.key()) != known.end()) continue;
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    throw Error(where + ": unknown key '" + item.key() + "' (known: " + list + ")");
  }
}

}  // namespace lrpseg
