#pragma once
// Reading the keys of a JSON config (experiment configs and their blocks):
// one place for the "wrong type" error that names the config and the key.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <vector>

#include "util/error.h"

namespace lrpseg {

// Whether `v` is an integer that T represents exactly (round trip through T).
template <typename T>
bool holds_exactly(const nlohmann::json& v) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    const T t = static_cast<T>(u);
    if constexpr (std::is_signed_v<T>) {
      if (t < 0) return false;
    }
    return static_cast<uint64_t>(t) == u;
  }
  if (v.is_number_integer()) {
    const int64_t n = v.get<int64_t>();
    if constexpr (std::is_unsigned_v<T>) {
      if (n < 0) return false;
    }
    return static_cast<int64_t>(static_cast<T>(n)) == n;
  }
  return false;
}

// j[key] as a T, or `fallback` when the key is absent; a value of another type
// throws lrpseg::Error "<where>: '<key>' has the wrong type (<value>)".
template <typename T>
T get_or(const nlohmann::json& j, const char* key, T fallback, const std::string& where) {
  if (!j.contains(key)) return fallback;
  const nlohmann::json& v = j.at(key);
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    // nlohmann casts a float or an out-of-range integer unchecked (1e30 into an
    // int is undefined behaviour): a count must be written as one, and fit.
    if (!holds_exactly<T>(v))
      throw Error(where + ": '" + key + "' must be a whole number in range (" + v.dump() + ")");
    return v.get<T>();
  }
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
