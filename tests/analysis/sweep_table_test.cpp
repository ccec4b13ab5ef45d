#include "analysis/sweep_table.h"

#include <gtest/gtest.h>

#include "analysis/sweep.h"
#include "util/error.h"

namespace lrpseg {
namespace {

SweepRow row(const std::string& series, const std::string& filter, const std::string& metric,
             std::optional<double> value, const std::string& case_name = "training_4") {
  return {series, "A1", case_name, filter, "ADC", metric, value};
}

TEST(SweepSummary, MeansExcludeUndefinedValuesAndCountThem) {
  auto s =
      summarise({row("A", "raw", kGtInclusivity, 0.2), row("A", "raw", kGtInclusivity, 0.4),
                 row("A", "raw", kGtInclusivity, std::nullopt), row("A", "raw", kMeanSignal, 5.0)});
  const SummaryCell* c = s.cell(kGtInclusivity, "raw", "A");
  ASSERT_NE(c, nullptr);
  EXPECT_DOUBLE_EQ(c->mean, 0.3);
  EXPECT_EQ(c->defined, 2);
  EXPECT_EQ(c->undefined, 1);
  // Only the requested metrics are summarised.
  EXPECT_EQ(s.cell(kMeanSignal, "raw", "A"), nullptr);
}

TEST(SweepSummary, AnAllUndefinedCellHasNoMeanAndNoBest) {
  auto s = summarise({row("A", "raw", kGtInclusivity, std::nullopt)});
  EXPECT_EQ(s.cell(kGtInclusivity, "raw", "A")->defined, 0);
  EXPECT_FALSE(s.best_filter(kGtInclusivity, "A").has_value());
}

TEST(SweepSummary, BestFilterIsTheHighestMeanPerSeriesWithTiesToTheFirst) {
  auto s = summarise({row("A", "raw", kGtInclusivity, 0.1), row("B", "raw", kGtInclusivity, 0.9),
                      row("A", "pass:0-0.2", kGtInclusivity, 0.5),
                      row("B", "pass:0-0.2", kGtInclusivity, 0.2),
                      row("A", "clamp:0-0.05", kGtInclusivity, 0.5)});
  EXPECT_EQ(s.filters, (std::vector<std::string>{"raw", "pass:0-0.2", "clamp:0-0.05"}));
  EXPECT_EQ(s.series, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(s.best_filter(kGtInclusivity, "A"), "pass:0-0.2");
  EXPECT_EQ(s.best_filter(kGtInclusivity, "B"), "raw");
  EXPECT_FALSE(s.best_filter(kInputInclusivity, "A").has_value());
}

TEST(SweepSummary, MarkdownBoldsTheBestOfEachColumnAndNotesUndefinedCounts) {
  auto s = summarise({row("A", "raw", kGtInclusivity, 0.1),
                      row("A", "pass:0-0.2", kGtInclusivity, 0.46464),
                      row("A", "pass:0-0.2", kGtInclusivity, std::nullopt),
                      row("A", "raw", kInputInclusivity, 0.0079)});
  const std::string md = summary_markdown(s);
  EXPECT_NE(md.find("| filter | gt_inclusivity A | input_inclusivity A |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| pass:0-0.2 | **0.4646** (1 undefined) |  |"), std::string::npos) << md;
  EXPECT_NE(md.find("| raw | 0.1000 | **0.0079** |"), std::string::npos) << md;
  EXPECT_NE(md.find("left out of the means"), std::string::npos);
}

bool same_summary(const SweepSummary& a, const SweepSummary& b) {
  if (a.filters != b.filters || a.series != b.series || a.metrics != b.metrics ||
      a.cells.size() != b.cells.size())
    return false;
  for (const auto& [key, c] : a.cells) {
    auto it = b.cells.find(key);
    if (it == b.cells.end()) return false;
    const SummaryCell& d = it->second;
    if (c.defined != d.defined || c.undefined != d.undefined ||
        (c.defined > 0 && c.mean != d.mean) || c.precision_shift != d.precision_shift ||
        c.robustness_pearson != d.robustness_pearson)
      return false;
  }
  return a.robustness_sigma == b.robustness_sigma;
}

TEST(SweepSummary, SummaryCsvReadsBackAsTheSameSummary) {
  auto with_check = [](SweepRow r, double other) {
    r.check = PrecisionColumns{other, 0.99, 0.98, 0.1};
    return r;
  };
  const auto s = summarise({row("A", "raw", kGtInclusivity, 1.0 / 3.0),
                            row("B", "raw", kGtInclusivity, std::nullopt),
                            row("A", "pass:0-0.2", kInputInclusivity, 0.25)});
  EXPECT_TRUE(same_summary(parse_summary_csv(summary_csv(s), "s.csv"), s));
  const auto checked = summarise({with_check(row("A", "raw", kGtInclusivity, 0.1), 0.125),
                                  with_check(row("A", "clamp:0-0.05", kGtInclusivity, 0.2), 0.2),
                                  with_check(row("A", "raw", kInputInclusivity, 0.5), 0.5)});
  const auto back = parse_summary_csv(summary_csv(checked), "s.csv");
  EXPECT_TRUE(same_summary(back, checked));
  EXPECT_EQ(back.largest_shift("raw"), 0.125 - 0.1);
}

SweepRow with_robustness(SweepRow r, double pearson, std::optional<double> change = 0.02) {
  r.robustness = RobustnessColumns{0.01, 0.4, pearson, pearson - 0.05, change};
  return r;
}

TEST(SweepSummary, RobustnessIsTheMeanCorrelationAndTheWeakestSeriesIsFlagged) {
  // raw: series A has cases at 0.99 and 0.95 (mean 0.97), series B 0.5 → weakest 0.5.
  const auto s = summarise({with_robustness(row("A", "raw", kGtInclusivity, 0.1), 0.99),
                            with_robustness(row("A", "raw", kGtInclusivity, 0.2, "t5"), 0.95),
                            with_robustness(row("B", "raw", kGtInclusivity, 0.3), 0.5),
                            with_robustness(row("A", "pass:0-0.2", kGtInclusivity, 0.4), 0.96),
                            with_robustness(row("A", "raw", kInputInclusivity, 0.5), 0.99)});
  ASSERT_EQ(s.robustness_sigma, 0.01);
  EXPECT_NEAR(*s.cell(kGtInclusivity, "raw", "A")->robustness_pearson, 0.97, 1e-15);
  EXPECT_EQ(s.weakest_robustness("raw"), 0.5);
  EXPECT_EQ(s.weakest_robustness("pass:0-0.2"), 0.96);
  EXPECT_FALSE(summarise({row("A", "raw", kGtInclusivity, 0.1)}).weakest_robustness("raw"));

  const std::string md = summary_markdown(s);
  EXPECT_NE(md.find("| robustness |"), std::string::npos) << md;
  EXPECT_NE(md.find("| fragile 0.5000 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 0.9600 |"), std::string::npos) << md;
  EXPECT_NE(md.find("(1 + 0.01·N(0,1))"), std::string::npos) << md;
  EXPECT_EQ(summary_markdown(summarise({row("A", "raw", kGtInclusivity, 0.1)})).find("fragile"),
            std::string::npos);

  const auto back = parse_summary_csv(summary_csv(s), "s.csv");
  EXPECT_TRUE(same_summary(back, s));
  EXPECT_EQ(back.weakest_robustness("raw"), 0.5);
}

TEST(SweepSummary, BadSummaryCsvNamesFileLineAndColumn) {
  try {
    parse_summary_csv("metric,filter,series,mean,defined,undefined\ng,raw,A,0.5,two,0\n", "s.csv");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "s.csv:2: defined 'two' is not a number");
  }
  EXPECT_THROW(parse_summary_csv("metric,filter,series,mean\n", "s.csv"), Error);
}

TEST(SweepSummary, CsvHasOneLinePerCellWithCounts) {
  auto s = summarise({row("A", "raw", kGtInclusivity, 0.25),
                      row("A", "raw", kGtInclusivity, std::nullopt),
                      row("A", "raw", kInputInclusivity, std::nullopt)});
  EXPECT_EQ(summary_csv(s),
            "metric,filter,series,mean,defined,undefined\n"
            "gt_inclusivity,raw,A,0.25,1,1\n"
            "input_inclusivity,raw,A,,0,1\n");
}

TEST(SweepCsv, RoundTripsEveryValueExactly) {
  std::vector<SweepRow> rows = {
      row("A", "raw", kGtInclusivity, 0.1), row("A", "pass:0-0.2", kInputInclusivity, std::nullopt),
      row("19x64x64", "clamp:0-0.05", kMeanSignal, -1.0 / 3.0),
      row("X", "raw", kAreaSignal, 12345.678901234567, "case, \"quoted\""),
      row("B", "raw", kMeanSignal, 1e-300)};
  const std::string text = sweep_csv(rows);
  EXPECT_EQ(text.substr(0, text.find('\n')), "series,model,case,filter,channel,metric,value");
  EXPECT_NE(text.find("A,A1,training_4,pass:0-0.2,ADC,input_inclusivity,\n"), std::string::npos);
  EXPECT_EQ(parse_sweep_csv(text, "sweep.csv"), rows);
}

TEST(SweepCsv, PrecisionAndRobustnessColumnsRoundTrip) {
  SweepRow checked = row("A", "raw", kGtInclusivity, 0.1);
  checked.check = PrecisionColumns{0.125, 0.99, 0.98, 0.1};
  std::vector<SweepRow> rows = {
      with_robustness(checked, 0.75),
      with_robustness(row("A", "pass:0-0.2", kGtInclusivity, 0.2), 0.5, std::nullopt),
      row("A", "clamp:0-0.05", kGtInclusivity, 0.3)};
  const std::string text = sweep_csv(rows);
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "series,model,case,filter,channel,metric,value,value_other_precision,pearson,"
            "spearman,max_relative_error,robustness_sigma,robustness_max_sensitivity,"
            "robustness_pearson,robustness_spearman,robustness_inclusivity_change");
  EXPECT_EQ(parse_sweep_csv(text, "sweep.csv"), rows);
  // Robustness without a precision check.
  rows = {with_robustness(row("A", "raw", kGtInclusivity, 0.1), 0.75)};
  EXPECT_EQ(parse_sweep_csv(sweep_csv(rows), "sweep.csv"), rows);
  EXPECT_THROW(
      parse_sweep_csv("series,model,case,filter,channel,metric,value,robustness_sigma\n", "s.csv"),
      Error);
}

TEST(SweepCsv, MalformedTablesNameTheFileAndLine) {
  try {
    parse_sweep_csv("series,model,case,filter,channel,metric,value\nA,A1,t,raw,ADC,x,abc\n",
                    "runs/sweep.csv");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("runs/sweep.csv:2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_sweep_csv("epoch,seconds\n1,2\n", "log.csv"), Error);
  EXPECT_THROW(parse_sweep_csv("series,model,case,filter,channel,metric,value\nA,A1\n", "s.csv"),
               Error);
}

TEST(SeriesForSize, NamesThePaperSeriesAndSpellsOutOtherSizes) {
  EXPECT_EQ(series_for_size({19, 48, 48}), "A");
  EXPECT_EQ(series_for_size({19, 96, 96}), "B");
  EXPECT_EQ(series_for_size({19, 144, 144}), "C");
  EXPECT_EQ(series_for_size({19, 192, 192}), "X");
  EXPECT_EQ(series_for_size({4, 16, 16}), "4x16x16");
  EXPECT_EQ(series_for_size({19, 48, 96}), "19x48x96");
}

}  // namespace
}  // namespace lrpseg
