// The one pipeline: an experiment explains each case once per model; Figure 1
// and the viewer take the sweep's explanations, which equal explaining anew.
#include "study/pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "infer/segment.h"
#include "model/checkpoint.h"
#include "temp_dir.h"
#include "util/atomic_file.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

ExperimentConfig tiny_config(const fs::path& out, const json& figure_cases) {
  json j = {
      {"title", "tiny"},
      {"out", out.string()},
      {"data", {{"synthesize", {{"cases", 3}, {"seed", 2}}}}},
      {"train_cases", "1-2"},
      {"val_cases", "3"},
      {"series", {{{"name", "A"}, {"size", "8x16x16"}, {"count", 1}, {"epochs", 1}, {"width", 2}}}},
      {"filters", "raw,pass:0-0.4,clamp:0-0.2,clamp:0-0.6"},
      {"check_precision", false},
      {"figure", {{"cases", figure_cases}}},
      {"viewer_cases", 1},
      {"threads", 1}};
  ExperimentConfig c = parse_experiment_config(j, "tiny.json");
  c.quiet = true;
  return c;
}

// One experiment (each trains a tiny model, so they share it): Figure 1 and the
// viewer take the sweep's explanations, a kept explanation equals explaining the
// case with its filters alone, and a figure case outside the sweep is explained.
TEST(Pipeline, FigureAndViewerReuseTheSweepsExplanations) {
  test::TempDir dir;
  const ExperimentResult r = run_experiment(tiny_config(dir / "run", {3}));
  EXPECT_EQ(r.explained_again, 0);
  const json manifest = json::parse(read_text(dir / "run/run.json"));
  EXPECT_EQ(manifest["kind"], "experiment");
  EXPECT_TRUE(fs::exists(dir / "run/figures/figure1_A1_training_3.png"));
  EXPECT_TRUE(fs::exists(dir / "run/viewer/A1_training_3.json"));

  const ModelRun& model = r.models.front();
  const std::string model_dir = (fs::path(dir / "run") / model.dir).string();
  LoadedModel loaded = load_checkpoint(model_dir);
  const PreprocessOptions pre = preprocess_from_info(loaded.info, model_dir);
  const CaseFiles files =
      select_cases(discover_isles(dir / "run/data"), {3}, Split::Training).front();

  LrpOptions sweep;
  sweep.filters = parse_filters("raw,pass:0-0.4,clamp:0-0.2,clamp:0-0.6");
  ExplanationStore store;
  LrpOptions figure = sweep;
  figure.filters = figure1_filters(0.4, 0.2);
  store.want(model.name, files.name, figure.filters);
  store.keep(model.name, explain_case(loaded.net, files, pre, sweep));
  const CaseExplanation kept = store.get(model, files, figure, dir / "run");
  EXPECT_EQ(store.explained_again(), 0);
  const CaseExplanation fresh = explain_case(loaded.net, files, pre, figure);
  ASSERT_EQ(kept.explanation.filters, fresh.explanation.filters);
  const double scale = fresh.explanation.relevance.abs().max().item<double>();
  EXPECT_TRUE(torch::allclose(kept.explanation.relevance, fresh.explanation.relevance, 1e-9,
                              1e-12 * scale));
  for (int64_t k = 0; k < 3; ++k) {
    EXPECT_TRUE(torch::allclose(case_grid_relevance(kept, k), case_grid_relevance(fresh, k), 1e-9,
                                1e-12 * scale));
  }
  EXPECT_TRUE(torch::equal(kept.prediction, fresh.prediction));

  // A figure case outside the sweep is explained for the figure (the models are kept).
  const ExperimentResult other = run_experiment(tiny_config(dir / "run", {1}));
  EXPECT_EQ(other.explained_again, 1);
  EXPECT_TRUE(fs::exists(dir / "run/figures/figure1_A1_training_1.png"));
}

}  // namespace
}  // namespace lrpseg
