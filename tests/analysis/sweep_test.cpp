#include "analysis/sweep.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "data/synth.h"
#include "infer/explain_cases.h"
#include "io/nifti.h"
#include "temp_dir.h"
#include "tiny_model.h"
#include "train/trainer.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;

// The metrics of one channel, written out with plain loops (no shared code with
// src/analysis) from the definitions in DESIGN.md §4.
std::map<std::string, std::optional<double>> recompute(const float* r, const float* x,
                                                       const uint8_t* ot, int64_t n,
                                                       double max_all) {
  double max_r = 0, max_x = 0, sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    max_r = std::max(max_r, std::abs(static_cast<double>(r[i])));
    max_x = std::max(max_x, std::abs(static_cast<double>(x[i])));
    sum += r[i];
  }
  double a_and_ot = 0, ot_size = 0, a_and_b = 0, b_size = 0;
  for (int64_t i = 0; i < n; ++i) {
    const bool a = max_r > 0 && std::abs(static_cast<double>(r[i])) / max_r > 0.5;
    const bool b = max_x > 0 && std::abs(static_cast<double>(x[i])) / max_x > 0.1;
    a_and_b += a && b;
    b_size += b;
    a_and_ot += a && ot[i];
    ot_size += ot[i];
  }
  auto ratio = [](double num, double den) {
    return den == 0 ? std::nullopt : std::optional<double>(num / den);
  };
  const double area = max_all > 0 ? sum / max_all : 0;
  return {{kGtInclusivity, ratio(a_and_ot, ot_size)},
          {kInputInclusivity, ratio(a_and_b, b_size)},
          {kMeanSignal, area / n},
          {kAreaSignal, area}};
}

TEST(Sweep, CsvValuesRecomputeFromTheWrittenRelevanceAndInputs) {
  test::TempDir dir;
  TrainOptions t = test::train_tiny_model(dir / "data", dir / "model", 2, 0, 5);

  SweepOptions o;
  o.models = {{t.out_dir, "", ""}};
  o.cases = discover_isles(t.data_dir).cases;
  o.lrp.filters = {Filter::raw(), Filter::clamp(0, 0.1)};
  o.out_dir = dir / "sweep";
  o.save_relevance = true;
  o.threads = 1;
  o.quiet = true;
  SweepResult result = run_sweep(o);

  // 2 cases × 2 filters × 6 channels × 4 metrics, in the written table too.
  ASSERT_EQ(result.rows.size(), 2u * 2 * 6 * 4);
  const fs::path out(o.out_dir);
  EXPECT_EQ(parse_sweep_csv(read_text(out / "sweep.csv"), "sweep.csv"), result.rows);
  EXPECT_TRUE(fs::exists(out / "summary.md"));
  EXPECT_TRUE(fs::exists(out / "summary.csv"));
  EXPECT_TRUE(fs::exists(out / "dice.csv"));
  ASSERT_EQ(result.case_dice.size(), 2u);
  EXPECT_TRUE(result.case_dice[0]["dice"].is_number());
  EXPECT_EQ(result.summary.series, std::vector<std::string>{"4x16x16"});
  EXPECT_EQ(result.summary.filters, (std::vector<std::string>{"raw", "clamp:0-0.1"}));

  int checked = 0;
  for (const auto& files : o.cases) {
    CaseVolumes v = load_case(files);
    auto x = v.image.contiguous();
    auto ot = v.label.contiguous();
    const int64_t n = ot.numel();
    for (const char* filter : {"raw", "clamp:0-0.1"}) {
      const fs::path file = out / "relevance" / "model" / files.name /
                            ("relevance_" + filter_file_tag(filter) + ".nii.gz");
      auto r = read_nifti(file).data.contiguous();
      ASSERT_EQ(r.sizes(), x.sizes());
      const double max_all = r.abs().max().item<double>();
      for (int64_t c = 0; c < 6; ++c) {
        auto expected = recompute(r.data_ptr<float>() + c * n, x.data_ptr<float>() + c * n,
                                  ot.data_ptr<uint8_t>(), n, max_all);
        for (const auto& row : result.rows) {
          if (row.case_name != files.name || row.filter != filter ||
              row.channel != kModalities[c]) {
            continue;
          }
          SCOPED_TRACE(files.name + " " + filter + " " + row.channel + " " + row.metric);
          EXPECT_EQ(row.model, "model");
          const auto& want = expected.at(row.metric);
          ASSERT_EQ(row.value.has_value(), want.has_value());
          if (want) {
            EXPECT_NEAR(*row.value, *want, 1e-5 * std::max(1.0, std::abs(*want)));
          }
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, static_cast<int>(result.rows.size()));
}

TEST(Sweep, TwoModelsOfOneNameAreAnError) {
  SweepOptions o;
  o.models = {{"runs/a/m", "", "A"}, {"runs/b/m", "", "A"}};
  o.cases = {CaseFiles{}};
  o.out_dir = "unused";
  try {
    run_sweep(o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'m'"), std::string::npos) << e.what();
  }
}

TEST(Sweep, NoModelsOrNoCasesIsAnError) {
  SweepOptions o;
  o.out_dir = "unused";
  o.cases = {CaseFiles{}};
  EXPECT_THROW(run_sweep(o), Error);
  o.models = {{"m", "", "A"}};
  o.cases.clear();
  EXPECT_THROW(run_sweep(o), Error);
}

}  // namespace
}  // namespace lrpseg
