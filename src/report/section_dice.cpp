// The segmentation section (the paper's Table Annex 1): mean Dice per model,
// per series when a series has several models, and Dice per case, from the
// typed dice.csv records.
#include <algorithm>
#include <cmath>
#include <map>

#include "infer/segment.h"
#include "report/assets.h"
#include "report/html_sections.h"
#include "util/atomic_file.h"

namespace lrpseg {

namespace {

using nlohmann::json;

struct DiceModel {
  json entry;
  std::optional<std::vector<SegmentRow>> cases;  // dice.csv, when the model has one
  std::optional<double> mean;
};

// NaN when absent, null or negative (the run's "not measured" is −1).
std::optional<double> measure_of(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number() || it->get<double>() < 0) return std::nullopt;
  return it->get<double>();
}

DiceModel load_model(const ReportContext& run, const json& entry) {
  DiceModel d{entry, std::nullopt, measure_of(entry, "mean_dice")};
  const std::string csv = text_of(entry, "dice_csv");
  if (csv.empty()) return d;
  const std::string path = run.file(csv, "Dice table of model " + text_of(entry, "name")).string();
  d.cases = parse_dice_csv(read_text(path), path);
  if (!d.mean && !d.cases->empty()) {
    double sum = 0;
    for (const auto& r : *d.cases) sum += r.dice;
    d.mean = sum / static_cast<double>(d.cases->size());
  }
  return d;
}

std::string model_table(ReportContext& run, const std::vector<DiceModel>& models) {
  std::optional<double> best;
  for (const auto& m : models)
    if (m.mean && (!best || *m.mean > *best)) best = m.mean;
  HtmlTable table{
      "Segmentation Dice of each model (as the paper's Table Annex 1): training time "
      "and mean Dice over the evaluated cases; best in bold.",
      {{"Model", false},
       {"Series", false},
       {"Training (min)", true},
       {"Mean Dice", true},
       {"Cases", true}},
      {}};
  for (const auto& m : models) {
    table.rows.push_back({HtmlCell::label(text_of(m.entry, "name")),
                          HtmlCell::label(text_of(m.entry, "series")),
                          HtmlCell::number(measure_of(m.entry, "minutes"), 1),
                          HtmlCell::number(m.mean, 3, m.mean && m.mean == best),
                          HtmlCell::numeric_text(m.cases ? std::to_string(m.cases->size()) : "")});
  }
  return run.table(table);
}

// Mean ± SD per series; empty unless some series has several models.
std::string series_table(ReportContext& run, const std::vector<DiceModel>& models) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> dice, minutes;
  for (const auto& m : models) {
    const std::string series = text_of(m.entry, "series");
    if (!dice.count(series)) order.push_back(series);
    dice[series].push_back(m.mean.value_or(NAN));
    minutes[series].push_back(measure_of(m.entry, "minutes").value_or(NAN));
  }
  if (std::none_of(dice.begin(), dice.end(), [](const auto& s) { return s.second.size() > 1; }))
    return "";
  HtmlTable table{
      "Per series: mean \u00b1 SD over its models.",
      {{"Series", false}, {"Models", true}, {"Training (min)", true}, {"Mean Dice", true}},
      {}};
  for (const auto& s : order) {
    table.rows.push_back({HtmlCell::label(s.empty() ? "\u2014" : s),
                          HtmlCell::numeric_text(std::to_string(dice[s].size())),
                          HtmlCell::numeric_text(mean_sd_text(minutes[s])),
                          HtmlCell::numeric_text(mean_sd_text(dice[s]))});
  }
  return run.table(table);
}

// Dice per case: one column for one model, cases × models for several.
std::string per_case_table(ReportContext& run, const std::vector<DiceModel>& models) {
  std::vector<const DiceModel*> with_cases;
  for (const auto& m : models)
    if (m.cases) with_cases.push_back(&m);
  if (with_cases.empty()) return "";
  HtmlTable table{"Dice per case (from each model's dice.csv).", {{"Case", false}}, {}};
  if (with_cases.size() == 1) {
    table.columns.insert(table.columns.end(),
                         {{"Dice", true}, {"True voxels", true}, {"Predicted voxels", true}});
    auto count = [](int64_t n) { return HtmlCell::numeric_text(n < 0 ? "" : std::to_string(n)); };
    for (const auto& r : *with_cases[0]->cases) {
      table.rows.push_back({HtmlCell::label(r.case_name), HtmlCell::number(r.dice, 3),
                            count(r.true_voxels), count(r.predicted_voxels)});
    }
  } else {
    std::vector<std::string> cases;  // in order of first appearance
    std::vector<std::map<std::string, double>> dice(with_cases.size());
    for (size_t i = 0; i < with_cases.size(); ++i) {
      table.columns.push_back({text_of(with_cases[i]->entry, "name"), true});
      for (const auto& r : *with_cases[i]->cases) {
        if (std::find(cases.begin(), cases.end(), r.case_name) == cases.end())
          cases.push_back(r.case_name);
        dice[i][r.case_name] = r.dice;
      }
    }
    for (const auto& c : cases) {
      std::vector<HtmlCell> row = {HtmlCell::label(c)};
      for (const auto& d : dice) {
        auto it = d.find(c);
        row.push_back(
            HtmlCell::number(it == d.end() ? std::nullopt : std::optional<double>(it->second), 3));
      }
      table.rows.push_back(std::move(row));
    }
  }
  return fragment("details",
                  {{"summary", "Dice per case (" + std::to_string(table.rows.size()) + " cases)"},
                   {"body", run.table(table)}});
}

}  // namespace

HtmlSection dice_section(ReportContext& run) {
  std::vector<DiceModel> models;
  for (const auto& m : run.entries(run.manifest, "models")) models.push_back(load_model(run, m));
  if (models.empty()) return {};
  std::string html = model_table(run, models);
  html += series_table(run, models);
  html += per_case_table(run, models);
  return {"dice", "Segmentation", html};
}

}  // namespace lrpseg
