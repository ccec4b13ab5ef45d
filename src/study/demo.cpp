#include "study/demo.h"

#include <algorithm>

#include "data/preprocess.h"
#include "study/experiment.h"
#include "util/device.h"
#include "util/error.h"

namespace lrpseg {

DemoOptions DemoOptions::quick() {
  DemoOptions d;
  d.training_cases = 8;
  d.held_out_cases = 2;
  d.epochs = 8;
  d.viewer_cases = 1;
  return d;
}

nlohmann::json demo_evaluate_json(const DemoOptions& d) {
  // The first two held-out cases (fewer when there are fewer).
  const int first = d.training_cases + 1;
  const int last = std::min(d.training_cases + d.held_out_cases, first + 1);
  return {{"cases", first == last ? std::to_string(first)
                                  : std::to_string(first) + "-" + std::to_string(last)},
          {"methods", "lrp,gradient-x-input"},
          {"filters", "raw,pass:0-0.2,pass:0-0.4,clamp:0-0.05,clamp:0-0.2"},
          {"metrics", "all"},
          {"perturb_steps", 10},
          {"randomisation_stages", {"head", "b4", "b1"}},
          {"robustness_samples", 3},
          {"select", true},
          {"alpha_grid", "8:0.01-1"},
          {"select_robustness_samples", 2}};
}

nlohmann::json demo_config_json(const DemoOptions& d) {
  if (d.training_cases <= 0 || d.held_out_cases <= 0)
    throw Error("demo: needs training and held-out cases");
  const int cases = d.training_cases + d.held_out_cases;
  auto range = [](int first, int last) {
    return first == last ? std::to_string(first)
                         : std::to_string(first) + "-" + std::to_string(last);
  };
  nlohmann::json config = {{"title", "lrpseg demo: synthetic ISLES 2017, 3D U-Net, LRP sweep"},
                           {"out", d.out_dir},
                           {"data", {{"synthesize", {{"cases", cases}, {"seed", d.seed}}}}},
                           {"train_cases", range(1, d.training_cases)},
                           {"val_cases", range(d.training_cases + 1, cases)},
                           {"series",
                            {{{"name", "A"},
                              {"size", format_size_dhw(d.size_dhw)},
                              {"count", 1},
                              {"seed", d.seed},
                              {"epochs", d.epochs},
                              {"width", d.width}}}},
                           {"filters", "paper"},
                           {"precision", "double"},
                           {"composite", "paper"},
                           {"check_precision", true},  // the report's stability column
                           {"figure", {{"modality", "rCBF"}, {"pass", 0.4}, {"clamp", 0.2}}},
                           {"viewer_cases", d.viewer_cases},
                           {"display", d.display},
                           {"threads", d.threads},
                           {"device", device_name(d.device)}};
  if (d.evaluate) config["evaluate"] = demo_evaluate_json(d);
  return config;
}

DemoResult run_demo(const DemoOptions& d) {
  ExperimentConfig config = parse_experiment_config(demo_config_json(d), "demo");
  config.quiet = d.quiet;
  const ExperimentResult r = run_experiment(config, "demo");
  DemoResult result;
  result.report = r.report;
  result.mean_dice = r.models.front().mean_dice;
  result.best_filters = best_filters(r.summary);
  return result;
}

}  // namespace lrpseg
