#include "evaluation/evaluate.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "analysis/explain_run.h"
#include "data/preprocess.h"
#include "io/nifti.h"
#include "metrics/localisation.h"
#include "temp_dir.h"
#include "tiny_model.h"
#include "util/csv.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;

EvaluateOptions tiny_evaluation(const TrainOptions& t, const std::string& out) {
  EvaluateOptions o;
  o.model_dir = t.out_dir;
  o.out_dir = out;
  o.cases = discover_isles(t.data_dir).cases;
  o.lrp.filters = {Filter::raw(), Filter::clamp(0, 0.1)};
  o.methods.methods = {Method::Lrp, Method::GradientXInput};
  o.perturbation.steps = 4;
  o.robustness.samples = 2;
  o.evidence = {1, 4, 5};
  o.threads = 1;
  o.quiet = true;
  return o;
}

std::optional<double> value_of(const CsvTable& t, const std::string& case_name,
                               const std::string& method, const std::string& filter,
                               const std::string& metric) {
  for (size_t i = 0; i < t.rows.size(); ++i) {
    const auto& r = t.rows[i];
    if (r[0] == case_name && r[2] == method && r[3] == filter && r[4] == metric)
      return t.number(i, 5);
  }
  ADD_FAILURE() << "no row " << case_name << " " << method << " " << filter << " " << metric;
  return std::nullopt;
}

TEST(Evaluate, WritesEveryFamilyAndItsCsvRecomputesFromTheRelevanceFiles) {
  test::TempDir dir;
  const TrainOptions t = test::train_tiny_model(dir / "data", dir / "model", 2, 0, 21);
  EvaluateOptions o = tiny_evaluation(t, dir / "eval");
  const EvaluationResult r = evaluate(o);
  for (const char* f : {"evaluation.csv", "evaluation_summary.csv", "evaluation_summary.md"})
    EXPECT_TRUE(fs::exists(fs::path(dir / "eval") / f)) << f;
  const CsvTable csv = read_csv(dir / "eval/evaluation.csv");
  ASSERT_EQ(csv.header,
            (std::vector<std::string>{"case", "model", "method", "filter", "metric", "value"}));
  // Per case: 3 maps × (8 localisation + 3 evidence + 3 faithfulness + 22
  // randomisation + 4 robustness) rows, 3 stability rows per LRP map, and the
  // random-order AOPC.
  EXPECT_EQ(csv.rows.size(), 2u * (3u * (8 + 3 + 3 + 22 + 4) + 2u * 3u + 1u));

  // Recompute localisation from relevance that `explain` writes for the same model.
  ExplainOptions e;
  e.model_dir = o.model_dir;
  e.out_dir = dir / "lrp";
  e.cases = o.cases;
  e.lrp = o.lrp;
  e.methods = o.methods;
  e.native = true;
  e.threads = 1;
  e.quiet = true;
  explain_cases(e);
  for (const CaseFiles& c : o.cases) {
    const torch::Tensor r_native =
        read_nifti(
            (fs::path(dir / "lrp") / c.name / "native/relevance_clamp_0-0.1.nii.gz").string())
            .data.to(torch::kDouble);
    const CaseVolumes v = load_case(c);
    const torch::Tensor ot_net = resize_label(v.label, {4, 16, 16});
    const LocalisationScores s = localisation_scores(voxel_relevance(r_native), ot_net);
    const auto written = value_of(csv, c.name, "lrp", "clamp:0-0.1", "mass_accuracy");
    ASSERT_EQ(written.has_value(), s.mass_accuracy.has_value());
    if (written) {
      EXPECT_NEAR(*written, *s.mass_accuracy, 1e-5);
    }
    const auto rank = value_of(csv, c.name, "lrp", "clamp:0-0.1", "rank_accuracy");
    ASSERT_TRUE(rank.has_value());
    EXPECT_NEAR(*rank, *s.rank_accuracy, 1e-5);
  }
  // The randomisation of the whole network leaves a correlation well below 1.
  const auto full = value_of(csv, o.cases[0].name, "lrp", "raw", "randomisation_spearman:b1");
  ASSERT_TRUE(full.has_value());
  EXPECT_LT(*full, 0.9);
}

TEST(Evaluate, CasesWithoutGroundTruthReportLocalisationAsUndefined) {
  test::TempDir dir;
  const TrainOptions t = test::train_tiny_model(dir / "data", dir / "model", 1, 1, 22);
  EvaluateOptions o = tiny_evaluation(t, dir / "eval");
  o.families = {"localisation"};
  o.methods.methods = {Method::Lrp};
  o.cases = discover_isles(t.data_dir).cases;
  const EvaluationResult r = evaluate(o);
  int undefined = 0, defined = 0;
  for (const EvaluationRow& row : r.rows) {
    const bool test_case = row.case_name.rfind("test_", 0) == 0;
    if (test_case && row.metric != "input_inclusivity") {
      EXPECT_FALSE(row.value.has_value()) << row.metric;
      ++undefined;
    }
    if (!test_case && row.metric == "rank_accuracy") defined += row.value.has_value();
  }
  EXPECT_EQ(undefined, 2 * 7);
  EXPECT_EQ(defined, 2);
  for (const EvaluationSummaryRow& s : r.summary) {
    if (s.metric == "rank_accuracy") {
      EXPECT_EQ(s.undefined, 1);
    }
  }
}

// The α0 search measures the robustness of the candidates it checks next in one batched
// relevance pass per noisy input; each candidate must get what explaining it alone gives.
TEST(Evaluate, BatchedCandidatesMeasureWhatEachCandidateAloneMeasures) {
  test::TempDir dir;
  const TrainOptions t = test::train_tiny_model(dir / "data", dir / "model", 1, 0, 24);
  EvaluateOptions o = tiny_evaluation(t, dir / "batched");
  o.families = {"localisation"};
  o.methods.methods = {Method::Lrp};
  o.select = true;
  o.selection.grid = {0.02, 0.1, 0.4, 1.0};
  o.selection.robustness_samples = 2;
  o.selection.criterion.min_precision_correlation = -1;  // every candidate reaches robustness
  o.selection.criterion.min_robustness_correlation = 1;  // … and fails there (unless exact)
  const EvaluationResult batched = evaluate(o);
  o.out_dir = dir / "alone";
  o.lrp.max_batch = 1;  // one candidate per relevance pass, as a single explanation
  const EvaluationResult alone = evaluate(o);
  ASSERT_EQ(batched.alpha0.size(), 2u);
  int compared = 0;
  for (size_t family = 0; family < 2; ++family) {
    const auto& a = batched.alpha0[family].candidates;
    const auto& b = alone.alpha0[family].candidates;
    ASSERT_EQ(a.size(), o.selection.grid.size());
    for (size_t i = 0; i < a.size(); ++i) {
      if (!a[i].objective) continue;  // never checked
      ASSERT_TRUE(a[i].measured.count("robustness_pearson")) << a[i].alpha;
      EXPECT_NEAR(a[i].measured.at("robustness_pearson"), b[i].measured.at("robustness_pearson"),
                  1e-9)
          << a[i].alpha;
      EXPECT_EQ(a[i].rejected, b[i].rejected);
      ++compared;
    }
  }
  EXPECT_GE(compared, 4);
}

TEST(Evaluate, BadOptionsFailBeforeAnyOutput) {
  test::TempDir dir;
  const TrainOptions t = test::train_tiny_model(dir / "data", dir / "model", 1, 0, 23);
  EvaluateOptions o = tiny_evaluation(t, dir / "eval");
  o.select = true;
  o.selection.grid = {0.1, 1.5};
  EXPECT_THROW(evaluate(o), Error);
  o.selection.grid = {0.1};
  o.selection.criterion.objective = "beauty";
  EXPECT_THROW(evaluate(o), Error);
  o.select = false;
  o.robustness.sigmas = {2.0};
  EXPECT_THROW(evaluate(o), Error);
  EXPECT_FALSE(fs::exists(dir / "eval"));
}

}  // namespace
}  // namespace lrpseg
