#include "study/steps.h"

#include <ctime>
#include <filesystem>

#include "infer/explain_cases.h"
#include "infer/segment.h"
#include "model/checkpoint.h"
#include "report/plots.h"
#include "report/viewer_data.h"
#include "study/figure_panel.h"
#include "study/sweep_figures.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {

namespace fs = std::filesystem;
using nlohmann::json;

json ModelRun::to_json() const {
  json j = {{"name", name}, {"series", series}, {"dir", dir}, {"minutes", minutes}};
  if (mean_dice >= 0) j["mean_dice"] = mean_dice;
  if (!dice_csv.empty()) j["dice_csv"] = dice_csv;
  return j;
}

ModelRun ModelRun::from_json(const json& j) {
  ModelRun m;
  m.name = j.at("name").get<std::string>();
  m.series = j.at("series").get<std::string>();
  m.dir = j.at("dir").get<std::string>();
  m.minutes = j.at("minutes").get<double>();
  m.mean_dice = j.value("mean_dice", -1.0);
  m.dice_csv = j.value("dice_csv", std::string());
  return m;
}

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return buf;
}

void write_manifest(const std::string& run_dir, const json& manifest) {
  write_text_atomically((fs::path(run_dir) / "run.json").string(), manifest.dump(2) + "\n");
}

ModelRun train_and_evaluate(TrainOptions t, const std::vector<CaseFiles>& dice_cases,
                            const std::string& run_dir, const std::string& name,
                            const std::string& series) {
  ModelRun m;
  m.name = name;
  m.series = series;
  m.dir = "models/" + name;
  t.out_dir = (fs::path(run_dir) / m.dir).string();
  recover_checkpoint(t.out_dir);
  bool exists = fs::exists(fs::path(t.out_dir) / "model.json");
  int done = exists ? read_model_info(t.out_dir).value("epoch", 0) : 0;
  if (done < t.epochs) {
    t.resume = exists;
    train(t);
  } else if (!t.quiet) {
    std::fprintf(stderr, "%s: already trained for %d epochs, kept\n", name.c_str(), done);
  }
  auto log_path = fs::path(t.out_dir) / "train_log.csv";
  double seconds = 0;
  for (const auto& r : parse_train_log_csv(read_text(log_path.string()), log_path.string())) {
    seconds += r.seconds;
  }
  m.minutes = seconds / 60.0;
  if (!dice_cases.empty()) {
    SegmentOptions s;
    s.model_dir = t.out_dir;
    s.data_dir = t.data_dir;
    s.out_dir = (fs::path(run_dir) / "segmentations" / name).string();
    s.cases = dice_cases;
    s.threads = t.threads;
    s.device = t.device;
    s.quiet = t.quiet;
    double sum = 0;
    int n = 0;
    for (const auto& row : segment(s)) {
      if (row.dice >= 0) {
        sum += row.dice;
        ++n;
      }
    }
    if (n > 0) {
      m.mean_dice = sum / n;
      m.dice_csv = "segmentations/" + name + "/dice.csv";
    }
  }
  return m;
}

namespace {

std::string format_fraction(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

std::vector<Filter> figure1_filters(double pass_high, double clamp_high) {
  return {Filter::raw(), Filter::pass(0, pass_high), Filter::clamp(0, clamp_high)};
}

json figure1_step(const ModelRun& model, const CaseExplanation& c, const std::string& modality,
                  double pass_high, double clamp_high, DisplayConvention display,
                  const std::string& run_dir) {
  const int channel = modality_index(modality, "figure modality");
  const Figure1Data data = figure1_data(c, channel, -1, model.name, display);
  const std::string file = "figures/figure1_" + model.name + "_" + c.volumes.name + ".png";
  fs::create_directories(fs::path(run_dir) / "figures");
  render_figure1(data, (fs::path(run_dir) / file).string());
  return {{"section", "figure1"},
          {"title", "Figure 1: " + data.title + ", pass " + format_fraction(pass_high) +
                        ", clamp " + format_fraction(clamp_high)},
          {"file", file}};
}

json viewer_step(const ModelRun& model, const CaseExplanation& c, DisplayConvention display,
                 const std::string& run_dir) {
  const std::string file = "viewer/" + model.name + "_" + c.volumes.name + ".json";
  fs::create_directories(fs::path(run_dir) / "viewer");
  write_viewer_data(c, model.name, display, (fs::path(run_dir) / file).string());
  return {{"case", c.volumes.name}, {"model", model.name}, {"file", file}};
}

json training_curves_step(const std::vector<ModelRun>& models, const std::string& run_dir) {
  std::vector<Curve> loss, dice;
  for (const auto& m : models) {
    auto path = fs::path(run_dir) / m.dir / "train_log.csv";
    Curve l{m.name, {}, {}}, d{m.name, {}, {}};
    for (const auto& r : parse_train_log_csv(read_text(path.string()), path.string())) {
      l.x.push_back(r.epoch);
      l.y.push_back(r.train_loss);
      if (r.val_dice >= 0) {
        d.x.push_back(r.epoch);
        d.y.push_back(r.val_dice);
      }
    }
    loss.push_back(std::move(l));
    dice.push_back(std::move(d));
  }
  const std::string file = "figures/training.png";
  fs::create_directories(fs::path(run_dir) / "figures");
  plot_curves(loss, "training loss", dice, "validation Dice", "epoch",
              (fs::path(run_dir) / file).string());
  return {{"section", "training"}, {"title", "Training curves"}, {"file", file}};
}

json sweep_step(const std::vector<ModelRun>& models, const std::vector<CaseFiles>& cases,
                const SweepStep& step, const std::string& run_dir, std::vector<SweepRow>* rows_out,
                const std::function<void(const ModelRun&, const CaseExplanation&)>& on_case) {
  SweepOptions s;
  for (const auto& m : models) {
    s.models.push_back({(fs::path(run_dir) / m.dir).string(), m.name, m.series});
  }
  if (on_case) {
    s.on_case = [&](const SweepModel& sweep_model, const CaseExplanation& c) {
      for (const auto& m : models)
        if (m.name == sweep_model.name) on_case(m, c);
    };
  }
  s.cases = cases;
  s.lrp = step.lrp;
  s.metrics = step.metrics;
  s.save_relevance = step.save_relevance;
  s.check_precision = step.check_precision;
  s.robustness = step.robustness;
  s.methods = step.methods;
  s.out_dir = (fs::path(run_dir) / "sweep").string();
  s.threads = step.threads;
  s.quiet = step.quiet;
  s.group = step.group;
  SweepResult result = run_sweep(s);
  const bool writes = step.group == nullptr || step.group->rank() == 0;
  json sweep = {
      {"metrics", describe(step.metrics)},
      {"summary_md", "sweep/summary.md"},
      {"summary_csv", "sweep/summary.csv"},
      {"csv", "sweep/sweep.csv"},
      {"figures",
       writes ? json(write_sweep_figures(result.rows, run_dir, "sweep/figures")) : json::array()}};
  if (rows_out) *rows_out = std::move(result.rows);
  return sweep;
}

}  // namespace lrpseg

namespace lrpseg {

std::vector<std::string> best_filters(const SweepSummary& summary) {
  std::vector<std::string> lines;
  for (const auto& metric : summary.metrics) {
    for (const auto& series : summary.series) {
      auto best = summary.best_filter(metric, series);
      if (!best) continue;
      const SummaryCell* cell = summary.cell(metric, *best, series);
      char value[32];
      std::snprintf(value, sizeof value, "%.4f", cell->mean);
      lines.push_back(metric + " (series " + series + "): " + *best + " (mean " + value + ")");
    }
  }
  return lines;
}

}  // namespace lrpseg
