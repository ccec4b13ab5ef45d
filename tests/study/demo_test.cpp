// A test-sized demo: the same code path as `lrpseg demo`, on tiny data.
#include "study/demo.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "study/experiment.h"
#include "temp_dir.h"
#include "util/atomic_file.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;

void expect_files_exist(const nlohmann::json& j, const fs::path& run) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      if ((key == "file" || key == "csv" || key == "summary_md" || key == "summary_csv" ||
           key == "dice_csv" || key == "dir" || key == "alpha0_json") &&
          value.is_string()) {
        EXPECT_TRUE(fs::exists(run / value.get<std::string>())) << value;
      } else {
        expect_files_exist(value, run);
      }
    }
  } else if (j.is_array()) {
    for (const auto& v : j) expect_files_exist(v, run);
  }
}

TEST(Demo, TestSizedRunWritesReportSweepFiguresAndViewer) {
  test::TempDir dir;
  DemoOptions d;
  d.out_dir = dir / "run";
  d.training_cases = 2;
  d.held_out_cases = 1;
  d.epochs = 1;
  d.width = 2;
  d.size_dhw = {8, 16, 16};
  d.viewer_cases = 1;
  d.threads = 1;
  d.quiet = true;
  DemoResult r = run_demo(d);
  EXPECT_TRUE(fs::exists(r.report));
  EXPECT_GE(r.mean_dice, 0.0);
  EXPECT_FALSE(r.best_filters.empty());
  auto manifest = nlohmann::json::parse(read_text(dir / "run/run.json"));
  EXPECT_EQ(manifest["kind"], "demo");
  // The demo is a preset experiment: its recorded config is one `experiment` takes.
  const ExperimentConfig config = parse_experiment_config(manifest["config"], "run.json");
  EXPECT_EQ(config.out_dir, d.out_dir);
  ASSERT_EQ(config.series.size(), 1u);
  EXPECT_EQ(config.series[0].width, 2);
  EXPECT_EQ(config.series[0].size_dhw, d.size_dhw);
  EXPECT_EQ(config.val_cases, "3");
  EXPECT_EQ(manifest["sweep"]["figures"].size(), 8u);  // 2 inclusivities + 2 signals, × pass/clamp
  expect_files_exist(manifest, dir.path() / "run");
  // 16 filters × 6 channels × 4 metrics for the one held-out case.
  std::string csv = read_text(dir / "run/sweep/sweep.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 16 * 6 * 4);
  // The evaluation of the held-out case: its tables, plots and α0, in the report.
  ASSERT_EQ(manifest["evaluation"].size(), 1u);
  const std::string eval_dir = (dir.path() / "run/evaluation/A1").string();
  for (const char* f : {"evaluation.csv", "evaluation_summary.csv", "alpha0.json",
                        "evaluation_randomisation.png", "evaluation_alpha.png"})
    EXPECT_TRUE(fs::exists(fs::path(eval_dir) / f)) << f;
  // Perturbation curves exist when the tiny model predicts a lesion; else ABPC is undefined.
  const std::string summary = read_text(eval_dir + "/evaluation_summary.csv");
  EXPECT_TRUE(fs::exists(fs::path(eval_dir) / "evaluation_perturbation.png") ||
              summary.find("A1,lrp,raw,abpc,,,0,1") != std::string::npos)
      << summary;
  const auto alpha0 = nlohmann::json::parse(read_text(eval_dir + "/alpha0.json"));
  EXPECT_EQ(alpha0["families"].size(), 2u);
  EXPECT_EQ(alpha0["families"][0]["candidates"].size(), 8u);
  const std::string html = read_text(r.report);
  EXPECT_NE(html.find("id=\"evaluation\""), std::string::npos);
  EXPECT_NE(html.find("Sweet spot"), std::string::npos);
  // A second run resumes: nothing is retrained, the report is rebuilt.
  DemoResult again = run_demo(d);
  EXPECT_DOUBLE_EQ(again.mean_dice, r.mean_dice);
}

}  // namespace
}  // namespace lrpseg
