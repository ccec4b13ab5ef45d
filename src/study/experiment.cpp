#include "study/experiment.h"

#include <filesystem>

#include "data/preprocess.h"
#include "data/synth.h"
#include "io/isles.h"
#include "lrp/filters.h"
#include "study/config_json.h"
#include "study/evaluation_run.h"
#include "study/pipeline.h"
#include "util/atomic_file.h"
#include "util/device.h"
#include "util/error.h"
#include "util/threads.h"

namespace lrpseg {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string case_list_text(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key)) return "";
  const json& v = j.at(key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string text;
    for (const auto& n : v) {
      if (!n.is_number_integer()) throw Error(where + ": '" + key + "' must list case numbers");
      text += (text.empty() ? "" : ",") + std::to_string(n.get<int>());
    }
    return text;
  }
  throw Error(where + ": '" + key + "' must be a case list like \"1-10,12\" or [1, 2]");
}

SeriesConfig parse_series(const json& s, const std::string& where) {
  SeriesConfig sc;
  reject_unknown_keys(s, {"name", "size", "count", "seed", "epochs", "width"}, where);
  sc.name = get_or<std::string>(s, "name", "", where);
  if (sc.name.empty()) throw Error(where + ": every series needs a 'name'");
  sc.size_dhw = parse_size_dhw(get_or<std::string>(s, "size", "19x48x48", where),
                               where + " " + sc.name + ": size");
  sc.count = get_or<int>(s, "count", 1, where);
  sc.seed = get_or<uint64_t>(s, "seed", 0, where);
  sc.epochs = get_or<int>(s, "epochs", 80, where);
  sc.width = get_or<int64_t>(s, "width", 32, where);
  if (sc.count <= 0 || sc.epochs <= 0 || sc.width <= 0) {
    throw Error(where + " " + sc.name + ": count, epochs and width must be positive");
  }
  return sc;
}

// The "figure" object: Figure-1 modality, pass and clamp bounds, cases.
void parse_figure(const json& f, const std::string& where, ExperimentConfig& c) {
  reject_unknown_keys(f, {"modality", "pass", "clamp", "cases"}, where);
  c.figure_modality = get_or<std::string>(f, "modality", c.figure_modality, where);
  c.figure_pass = get_or<double>(f, "pass", c.figure_pass, where);
  c.figure_clamp = get_or<double>(f, "clamp", c.figure_clamp, where);
  const std::string cases = case_list_text(f, "cases", where);
  if (!cases.empty()) c.figure_cases = parse_case_list(cases, where + ": cases");
  Filter::pass(0, c.figure_pass);  // throws for bounds outside [0, 1]
  Filter::clamp(0, c.figure_clamp);
}

}  // namespace

ExperimentConfig parse_experiment_config(const json& j, const std::string& source) {
  if (!j.is_object()) throw Error(source + ": the config must be a JSON object");
  ExperimentConfig c;
  c.raw = j;
  reject_unknown_keys(j,
                      {"title",
                       "out",
                       "data",
                       "train_cases",
                       "val_cases",
                       "dice_cases",
                       "sweep_cases",
                       "filters",
                       "precision",
                       "composite",
                       "check_precision",
                       "max_memory_gb",
                       "robustness_sigma",
                       "robustness_samples",
                       "series",
                       "figure",
                       "viewer_cases",
                       "display",
                       "evaluate",
                       "threads",
                       "device"},
                      source);
  c.title = get_or<std::string>(j, "title", c.title, source);
  c.out_dir = get_or<std::string>(j, "out", "", source);
  if (j.contains("data")) {
    const json& d = j.at("data");
    if (d.is_string()) {
      c.data_dir = d.get<std::string>();
    } else if (d.is_object() && d.contains("synthesize")) {
      const json& s = d.at("synthesize");
      reject_unknown_keys(d, {"synthesize"}, source + ": data");
      reject_unknown_keys(s, {"cases", "seed", "evidence"}, source + ": data.synthesize");
      c.synthesize_cases = get_or<int>(s, "cases", 20, source + ": data.synthesize");
      c.synthesize_seed = get_or<uint64_t>(s, "seed", 0, source + ": data.synthesize");
      c.synthesize_evidence = get_or<std::string>(s, "evidence", "", source + ": data.synthesize");
      if (!c.synthesize_evidence.empty()) {
        try {
          parse_evidence_modalities(c.synthesize_evidence);
        } catch (const Error& e) {
          throw Error(source + ": data.synthesize: " + e.what());
        }
      }
      if (*c.synthesize_cases <= 0)
        throw Error(source + ": data.synthesize.cases must be positive");
    } else {
      throw Error(source + ": 'data' must be a dataset path or {\"synthesize\": {\"cases\": N}}");
    }
  } else {
    throw Error(source + ": 'data' is missing (a dataset path or {\"synthesize\": {...}})");
  }
  c.train_cases = case_list_text(j, "train_cases", source);
  c.val_cases = case_list_text(j, "val_cases", source);
  c.dice_cases = case_list_text(j, "dice_cases", source);
  c.sweep_cases = case_list_text(j, "sweep_cases", source);
  for (const auto* list : {&c.train_cases, &c.val_cases, &c.dice_cases, &c.sweep_cases}) {
    if (!list->empty()) parse_case_list(*list, source + ": case list");
  }
  c.filters = get_or<std::string>(j, "filters", c.filters, source);
  parse_filters(c.filters);
  c.precision = get_or<std::string>(j, "precision", c.precision, source);
  parse_precision(c.precision);
  c.composite = get_or<std::string>(j, "composite", c.composite, source);
  composite_preset(c.composite);
  c.check_precision = get_or<bool>(j, "check_precision", c.check_precision, source);
  c.max_memory_gb = get_or<double>(j, "max_memory_gb", c.max_memory_gb, source);
  if (!(c.max_memory_gb >= 0)) throw Error(source + ": max_memory_gb must be ≥ 0 (0: automatic)");
  if (j.contains("robustness_sigma"))
    c.robustness_sigma = get_or<double>(j, "robustness_sigma", 0.0, source);
  c.robustness_samples = get_or<int>(j, "robustness_samples", c.robustness_samples, source);
  if (c.robustness_sigma) {
    RobustnessOptions r;
    r.sigmas = {*c.robustness_sigma};
    r.samples = c.robustness_samples;
    try {
      check_robustness_options(r);
    } catch (const Error& e) {
      throw Error(source + ": " + e.what());
    }
  }
  if (!j.contains("series") || !j.at("series").is_array() || j.at("series").empty()) {
    throw Error(source + ": 'series' must be a non-empty list");
  }
  for (const auto& s : j.at("series")) c.series.push_back(parse_series(s, source + ": series"));
  if (j.contains("figure")) parse_figure(j.at("figure"), source + ": figure", c);
  c.viewer_cases = get_or<int>(j, "viewer_cases", c.viewer_cases, source);
  try {
    c.display = parse_display_convention(
        get_or<std::string>(j, "display", display_convention_name(c.display), source),
        source + ": display");
  } catch (const UsageError& e) {
    throw Error(e.what());  // a config error, like the others here
  }
  if (j.contains("evaluate")) {
    evaluate_options_from_json(j.at("evaluate"), source + ": evaluate");  // validates
    c.evaluate = j.at("evaluate");
    c.evaluate_cases = case_list_text(j.at("evaluate"), "cases", source + ": evaluate");
    if (!c.evaluate_cases.empty()) parse_case_list(c.evaluate_cases, source + ": evaluate.cases");
  }
  c.threads = get_or<int>(j, "threads", 0, source);
  c.device = parse_device(get_or<std::string>(j, "device", "cpu", source), source + ": device");
  return c;
}

ExperimentConfig read_experiment_config(const std::string& path) {
  if (!fs::is_regular_file(path)) throw Error(path + ": config file not found");
  json j;
  try {
    j = json::parse(read_text(path));
  } catch (const json::exception& e) {  // also out_of_range: a number beyond double (1e999)
    throw Error(path + ": invalid JSON (" + e.what() + ")");
  }
  return parse_experiment_config(j, path);
}

ExperimentResult run_experiment(const ExperimentConfig& c, const std::string& kind) {
  configure_threads(c.threads);
  Run run = make_run(kind, c);
  run_steps(run, experiment_steps_of_rank(c.group ? c.group->rank() : 0));
  return {run.report, run.models, summarise(run.rows), run.explanations.explained_again()};
}

}  // namespace lrpseg
