#include "analysis/sweep.h"

#include <cstdio>
#include <filesystem>
#include <optional>

#include "analysis/explain_run.h"
#include "data/preprocess.h"
#include "infer/explain_cases.h"
#include "infer/segment.h"
#include "model/checkpoint.h"
#include "util/atomic_file.h"
#include "util/csv.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/threads.h"

namespace lrpseg {

namespace fs = std::filesystem;
using nlohmann::json;

std::string series_for_size(const std::array<int64_t, 3>& size_dhw) {
  if (size_dhw[0] == 19 && size_dhw[1] == size_dhw[2]) {
    switch (size_dhw[1]) {
      case 48:
        return "A";
      case 96:
        return "B";
      case 144:
        return "C";
      case 192:
        return "X";
      default:
        break;
    }
  }
  return format_size_dhw(size_dhw);
}

std::vector<SweepRow> metric_rows(const std::string& series, const std::string& model,
                                  const std::string& case_name, const std::string& filter,
                                  const std::vector<ChannelMetrics>& channels) {
  std::vector<SweepRow> rows;
  for (size_t c = 0; c < channels.size(); ++c) {
    const std::string channel = c < kModalities.size() ? kModalities[c] : std::to_string(c);
    const ChannelMetrics& m = channels[c];
    rows.push_back({series, model, case_name, filter, channel, kGtInclusivity, m.gt_inclusivity});
    rows.push_back(
        {series, model, case_name, filter, channel, kInputInclusivity, m.input_inclusivity});
    rows.push_back({series, model, case_name, filter, channel, kMeanSignal, m.mean_signal});
    rows.push_back({series, model, case_name, filter, channel, kAreaSignal, m.area_signal});
  }
  return rows;
}

namespace {

// Names and series of all models before any is loaded, so that a clash fails fast.
std::vector<SweepModel> resolve_models(const std::vector<SweepModel>& models) {
  std::vector<SweepModel> resolved;
  for (SweepModel m : models) {
    if (m.name.empty()) {
      fs::path p = fs::absolute(m.dir).lexically_normal();
      if (p.filename().empty()) p = p.parent_path();
      m.name = p.filename().string();
    }
    if (m.series.empty()) {
      const std::string source = (fs::path(m.dir) / "model.json").string();
      m.series = series_for_size(preprocess_from_info(read_model_info(m.dir), source).size_dhw);
    }
    for (const auto& other : resolved) {
      if (other.name == m.name) {
        throw Error("sweep: two models are named '" + m.name + "' (" + other.dir + ", " + m.dir +
                    "); give them distinct names");
      }
    }
    resolved.push_back(m);
  }
  return resolved;
}

std::string case_dice_csv(const std::vector<json>& case_dice) {
  std::string out = csv_line({"model", "series", "case", "dice"});
  for (const auto& d : case_dice) {
    out += csv_line({d["model"].get<std::string>(), d["series"].get<std::string>(),
                     d["case"].get<std::string>(),
                     d["dice"].is_number() ? csv_number(d["dice"].get<double>()) : ""});
  }
  return out;
}

// The metric rows of one explained case, every filter and channel; with a
// precision check, each row also carries the other precision's value.
std::vector<SweepRow> case_rows(const SweepModel& m, const CaseExplanation& c,
                                const MetricOptions& options,
                                const std::vector<RobustnessColumns>& robustness) {
  const CaseVolumes& v = c.volumes;
  // At the network grid with copy counts: the case-grid numbers at a fraction of the work.
  const auto metrics =
      channel_metrics_resized(c.explanation.relevance, c.case_index, v.image, v.label, options);
  std::vector<std::vector<ChannelMetrics>> other;
  if (c.check) {
    other = channel_metrics_resized(c.check->explanation.relevance, c.case_index, v.image, v.label,
                                    options);
  }
  std::vector<SweepRow> all;
  for (size_t k = 0; k < metrics.size(); ++k) {
    const std::string& filter = c.explanation.filters[k];
    auto rows = metric_rows(m.series, m.name, v.name, filter, metrics[k]);
    if (c.check) {
      const auto other_rows = metric_rows(m.series, m.name, v.name, filter, other[k]);
      const RelevanceAgreement& a = c.check->agreement[k];
      for (size_t i = 0; i < rows.size(); ++i) {
        rows[i].check =
            PrecisionColumns{other_rows[i].value, a.pearson, a.spearman, a.max_relative_error};
      }
    }
    if (!robustness.empty()) {
      for (SweepRow& row : rows) row.robustness = robustness.at(k);
    }
    all.insert(all.end(), rows.begin(), rows.end());
  }
  return all;
}

std::string case_status(const SweepModel& m, const CaseExplanation& c) {
  std::string status = m.name + " " + c.volumes.name;
  if (c.dice >= 0) {
    char text[32];
    std::snprintf(text, sizeof text, " Dice %.3f", c.dice);
    status += text;
  }
  return status;
}

// What one (model, case) pair contributes.
struct PairResult {
  std::vector<SweepRow> rows;
  json dice;  // {model, series, case, dice}
};

}  // namespace

SweepResult run_sweep(const SweepOptions& o) {
  if (o.models.empty()) throw Error("sweep: no models given");
  if (o.cases.empty()) throw Error("sweep: no cases selected");
  if (o.lrp.filters.empty()) throw Error("sweep: no filters given");
  if (o.out_dir.empty()) throw Error("sweep: no output directory given");
  if (o.robustness) check_single_sigma(*o.robustness);
  configure_threads(o.threads);
  const std::vector<SweepModel> models = resolve_models(o.models);
  const fs::path out(o.out_dir);
  fs::create_directories(out);

  // (model, case) pairs in the order of the tables; this rank's share of them.
  const size_t n_cases = o.cases.size();
  std::vector<std::optional<PairResult>> pairs(models.size() * n_cases);
  int64_t mine = 0;
  for (size_t i = 0; i < pairs.size(); ++i) mine += owns_item(o.group, i) ? 1 : 0;
  Progress progress("sweep", mine, o.quiet);
  int64_t done = 0;
  for (size_t mi = 0; mi < models.size(); ++mi) {
    const SweepModel& m = models[mi];
    bool any = false;
    for (size_t ci = 0; ci < n_cases; ++ci) any |= owns_item(o.group, mi * n_cases + ci);
    if (!any) continue;
    LoadedModel loaded = load_checkpoint(m.dir);
    loaded.net->to(o.lrp.device);
    PreprocessOptions pre = preprocess_from_info(loaded.info, m.dir + "/model.json");
    check_attribution_options(o.methods.attribution, pre.size_dhw);
    for (size_t ci = 0; ci < n_cases; ++ci) {
      if (!owns_item(o.group, mi * n_cases + ci)) continue;
      const CaseFiles& files = o.cases[ci];
      CaseExplanation c = explain_case(loaded.net, files, pre, o.lrp, o.check_precision, o.methods);
      if (o.save_relevance) {
        write_case_explanation(c, (out / "relevance" / m.name / files.name).string(), o.lrp, false);
      }
      std::vector<RobustnessColumns> robustness;
      if (o.robustness) {
        const double sigma = o.robustness->sigmas.at(0);
        for (const RobustnessScores& r : case_robustness(
                 loaded.net, c, o.lrp, o.methods, *o.robustness, o.metrics.relevance_threshold)) {
          robustness.push_back(
              {sigma, r.max_sensitivity, r.mean_pearson, r.mean_spearman, r.inclusivity_change});
        }
      }
      PairResult pair;
      pair.rows = case_rows(m, c, o.metrics, robustness);
      if (o.on_case) o.on_case(m, c);
      json dice = c.dice >= 0 ? json(c.dice) : json(nullptr);
      pair.dice = {{"model", m.name}, {"series", m.series}, {"case", files.name}, {"dice", dice}};
      pairs[mi * n_cases + ci] = std::move(pair);
      progress.update(++done, case_status(m, c));
    }
  }
  progress.finish();
  if (o.group) {  // every rank's pairs, through their CSV text (std::to_chars numbers: exact)
    std::vector<json> items(pairs.size());
    for (size_t i = 0; i < pairs.size(); ++i) {
      if (pairs[i]) items[i] = {{"rows", sweep_csv(pairs[i]->rows)}, {"dice", pairs[i]->dice}};
    }
    gather_owned_items(items, o.group);
    for (size_t i = 0; i < pairs.size(); ++i) {
      if (pairs[i]) continue;
      const std::string source = "sweep rows of pair " + std::to_string(i);
      pairs[i] = PairResult{parse_sweep_csv(items[i].at("rows").get<std::string>(), source),
                            items[i].at("dice")};
    }
  }

  SweepResult result;
  for (auto& pair : pairs) {
    result.rows.insert(result.rows.end(), pair->rows.begin(), pair->rows.end());
    result.case_dice.push_back(std::move(pair->dice));
  }
  result.summary = summarise(result.rows);
  if (o.group && o.group->rank() != 0) return result;
  write_text_atomically((out / "sweep.csv").string(), sweep_csv(result.rows));
  write_text_atomically((out / "summary.csv").string(), summary_csv(result.summary));
  write_text_atomically((out / "summary.md").string(), summary_markdown(result.summary));
  write_text_atomically((out / "dice.csv").string(), case_dice_csv(result.case_dice));
  return result;
}

}  // namespace lrpseg
