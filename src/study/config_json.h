#pragma once
// Reading the keys of a JSON config (experiment configs and their blocks):
// one place for the "wrong type" error that names the config and the key.
#include <nlohmann/json.hpp>
#include <string>

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

}  // namespace lrpseg
