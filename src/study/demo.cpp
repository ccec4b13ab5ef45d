#include "study/demo.h"

#include <filesystem>

#include "data/synth.h"
#include "lrp/filters.h"
#include "report/html_report.h"
#include "study/steps.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/threads.h"

namespace lrpseg {

namespace fs = std::filesystem;
using nlohmann::json;

DemoOptions DemoOptions::quick() {
  DemoOptions d;
  d.training_cases = 8;
  d.held_out_cases = 2;
  d.epochs = 8;
  d.viewer_cases = 1;
  return d;
}

DemoResult run_demo(const DemoOptions& d) {
  configure_threads(d.threads);
  const int training = d.training_cases;
  const int held_out = d.held_out_cases;
  if (training <= 0 || held_out <= 0) throw Error("demo: needs training and held-out cases");
  fs::path run(d.out_dir);
  fs::create_directories(run);
  const std::string data = (run / "data").string();
  if (!fs::exists(run / "data" / "training_1")) {
    Progress progress("synth", training + held_out, d.quiet);
    synthesize_isles({data, training + held_out, 0, d.seed},
                     [&](int done, int) { progress.update(done); });
    progress.finish();
  }
  IslesDataset dataset = discover_isles(data);

  TrainOptions t;
  t.data_dir = data;
  t.width = d.width;
  t.preprocess.size_dhw = d.size_dhw;
  t.epochs = d.epochs;
  t.seed = d.seed;
  t.threads = d.threads;
  t.quiet = d.quiet;
  for (int i = 1; i <= training; ++i) t.cases.push_back(i);
  for (int i = training + 1; i <= training + held_out; ++i) t.val_cases.push_back(i);
  const auto held_out_cases = select_cases(dataset, t.val_cases, Split::Training);

  ModelRun model = train_and_evaluate(t, held_out_cases, run.string(), "A1", "A");
  SweepStep step;
  step.lrp.filters = paper_filters();
  step.check_precision = true;  // the report's stability column
  step.threads = d.threads;
  step.quiet = d.quiet;
  const LrpOptions& lrp = step.lrp;
  std::vector<SweepRow> rows;
  json sweep = sweep_step({model}, held_out_cases, step, run.string(), &rows);

  json figures = json::array({training_curves_step({model}, run.string())});
  figures.push_back(figure1_step(model, held_out_cases[0], "rCBF", 0.4, 0.2, lrp, run.string()));
  json viewer = json::array();
  for (size_t i = 0;
       i < std::min<size_t>(static_cast<size_t>(d.viewer_cases), held_out_cases.size()); ++i) {
    viewer.push_back(viewer_step(model, held_out_cases[i], lrp, run.string()));
  }

  json config = {{"synthetic_cases", training + held_out},
                 {"seed", d.seed},
                 {"training", t.to_json()},
                 {"lrp", describe(lrp)},
                 {"held_out_cases", held_out}};
  write_manifest(run.string(), {{"kind", "demo"},
                                {"title", "lrpseg demo: synthetic ISLES 2017, 3D U-Net, LRP sweep"},
                                {"created", utc_now()},
                                {"config", config},
                                {"models", {model.to_json()}},
                                {"figures", figures},
                                {"sweep", sweep},
                                {"viewer", viewer}});
  DemoResult result;
  result.report = write_report(run.string());
  result.mean_dice = model.mean_dice;
  result.best_filters = best_filters(summarise(rows));
  return result;
}

}  // namespace lrpseg
