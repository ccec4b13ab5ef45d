// The training section: the training figures, one row per model at its last
// epoch, and each model's per-epoch log, from the typed train_log.csv records.
#include <cmath>

#include "report/assets.h"
#include "report/html_encode.h"
#include "report/html_sections.h"
#include "train/trainer.h"
#include "util/atomic_file.h"

namespace lrpseg {

namespace {

using nlohmann::json;

std::optional<double> val_dice(const EpochRecord& r) {
  return r.val_dice >= 0 ? std::optional<double>(r.val_dice) : std::nullopt;
}

// The last epoch of a model's log, with its total time and best validation Dice.
std::vector<HtmlCell> summary_row(const json& model, const std::vector<EpochRecord>& log) {
  double seconds = 0;
  std::optional<double> best;
  int best_epoch = 0;
  for (const auto& r : log) {
    seconds += r.seconds;
    if (val_dice(r) && (!best || r.val_dice > *best)) {
      best = r.val_dice;
      best_epoch = r.epoch;
    }
  }
  const EpochRecord& last = log.back();
  return {HtmlCell::label(text_of(model, "name")),
          HtmlCell::label(text_of(model, "series")),
          HtmlCell::numeric_text(std::to_string(last.epoch)),
          HtmlCell::number(seconds / 60, 1),
          HtmlCell::number(last.train_loss, 4),
          HtmlCell::number(val_dice(last), 3),
          HtmlCell::numeric_text(
              best ? fixed_text(best, 3) + " (" + std::to_string(best_epoch) + ")" : "")};
}

std::string epoch_log(const json& model, const std::vector<EpochRecord>& log) {
  HtmlTable table{
      "", {{"Epoch", true}, {"Seconds", true}, {"Train loss", true}, {"Val Dice", true}}, {}};
  for (const auto& r : log) {
    table.rows.push_back({HtmlCell::numeric_text(std::to_string(r.epoch)),
                          HtmlCell::number(r.seconds, 1), HtmlCell::number(r.train_loss, 4),
                          HtmlCell::number(val_dice(r), 3)});
  }
  return fragment("details",
                  {{"summary", "Per-epoch log of " + html_escape(text_of(model, "name")) + " (" +
                                   std::to_string(log.size()) + " epochs)"},
                   {"body", table.html()}});
}

}  // namespace

HtmlSection training_section(ReportContext& run) {
  std::string html;
  for (const auto& f : run.figures_in("training")) html += run.figure(f, "training figure");

  HtmlTable summary{
      "Training of each model at its last epoch (from train_log.csv); best "
      "validation Dice with its epoch.",
      {{"Model", false},
       {"Series", false},
       {"Epochs", true},
       {"Time (min)", true},
       {"Train loss", true},
       {"Val Dice", true},
       {"Best val Dice", true}},
      {}};
  std::string logs;
  for (const auto& m : run.entries(run.manifest, "models")) {
    const std::string dir = text_of(m, "dir");
    if (dir.empty() || !std::filesystem::is_regular_file(run.dir / dir / "train_log.csv")) continue;
    const std::string path =
        run.file(dir + "/train_log.csv", "training log of model " + text_of(m, "name")).string();
    const std::vector<EpochRecord> log = parse_train_log_csv(read_text(path), path);
    if (log.empty()) continue;
    summary.rows.push_back(summary_row(m, log));
    logs += epoch_log(m, log);
  }
  if (!summary.rows.empty()) html += run.table(summary) + logs;
  return {"training", "Training", html};
}

}  // namespace lrpseg
