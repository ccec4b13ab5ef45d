#include "cli/config_file.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg::cli {

namespace {

// The group that marks a --config option as this one (experiment's --config is its study file).
constexpr const char* kGroup = "Options from a file";

bool given(const std::vector<std::string>& args, size_t from, const std::string& option) {
  for (size_t i = from; i < args.size(); ++i) {
    if (args[i] == option || args[i].rfind(option + "=", 0) == 0) return true;
  }
  return false;
}

// The options `key` of `file` stands for, as command-line words.
std::vector<std::string> words_of(const CLI::App& cmd, const std::string& file,
                                  const std::string& key, const nlohmann::json& value) {
  const std::string option = "--" + key;
  const CLI::Option* o = cmd.get_option_no_throw(option);
  if (o == nullptr || key == "config" || key == "help") {
    throw UsageError("--config " + file + ": unknown key '" + key + "' (no option " + option +
                     " in lrpseg " + cmd.get_name() + ")");
  }
  const bool flag = o->get_type_size() == 0;
  if (flag) {
    if (!value.is_boolean())
      throw UsageError("--config " + file + ": '" + key + "' is a flag: true or false");
    return value.get<bool>() ? std::vector<std::string>{option} : std::vector<std::string>{};
  }
  if (value.is_string()) return {option, value.get<std::string>()};
  if (value.is_number()) return {option, value.dump()};  // as written, no rounding
  if (value.is_array()) {
    std::string joined;
    for (const auto& v : value) {
      if (!v.is_string() && !v.is_number())
        throw UsageError("--config " + file + ": '" + key +
                         "' lists something other than names and numbers");
      joined += (joined.empty() ? "" : ",") + (v.is_string() ? v.get<std::string>() : v.dump());
    }
    return {option, joined};
  }
  throw UsageError("--config " + file + ": '" + key + "' must be a string, a number or a list");
}

}  // namespace

void add_config_option(CLI::App* cmd) {
  cmd->add_option("--config",
                  "JSON file of options ({\"cases\": \"17-20\", \"threads\": 2}); "
                  "options on the command line override it")
      ->group(kGroup);
}

std::vector<std::string> expand_config_files(const CLI::App& app,
                                             const std::vector<std::string>& args) {
  // The subcommand: the first word naming one.
  size_t at = 0;
  const CLI::App* cmd = nullptr;
  for (; at < args.size(); ++at) {
    for (const CLI::App* sub : app.get_subcommands({})) {
      if (sub->get_name() == args[at]) cmd = sub;
    }
    if (cmd) break;
  }
  const CLI::Option* config = cmd ? cmd->get_option_no_throw("--config") : nullptr;
  if (!config || config->get_group() != kGroup) return args;  // none, or experiment's study file
  std::vector<std::string> out(args.begin(), args.begin() + at + 1), rest;
  for (size_t i = at + 1; i < args.size(); ++i) {
    std::string file;
    if (args[i] == "--config") {
      if (i + 1 == args.size()) throw UsageError("--config: a JSON file is required");
      file = args[++i];
    } else if (args[i].rfind("--config=", 0) == 0) {
      file = args[i].substr(9);
    } else {
      rest.push_back(args[i]);
      continue;
    }
    if (!std::filesystem::is_regular_file(file))
      throw UsageError("--config " + file + ": not found");
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(read_text(file));
    } catch (const nlohmann::json::exception& e) {
      throw UsageError("--config " + file + ": not valid JSON (" + e.what() + ")");
    }
    if (!j.is_object()) throw UsageError("--config " + file + ": must hold a JSON object");
    for (const auto& [key, value] : j.items()) {
      if (given(args, at + 1, "--" + key)) continue;  // the command line wins
      for (std::string& w : words_of(*cmd, file, key, value)) out.push_back(std::move(w));
    }
  }
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

}  // namespace lrpseg::cli
