#include "lrp/benchmark.h"

#include <gtest/gtest.h>

namespace lrpseg {
namespace {

TEST(LrpBenchmark, ReportsEveryFigureOnATinyNetwork) {
  LrpBenchOptions options;
  options.width = 2;
  options.size_dhw = {5, 9, 7};
  options.repeat = 1;
  options.sweep = 3;
  const LrpBenchResult r = run_lrp_benchmark(options);
  EXPECT_GT(r.forward_s, 0.0);
  EXPECT_GT(r.explain_s, 0.0);
  EXPECT_GT(r.sweep_batched_s, 0.0);
  EXPECT_GT(r.sweep_separate_s, 0.0);
  EXPECT_GT(r.gflop_forward, 0.0);
  EXPECT_EQ(r.parameters, 75248);
  const std::string json = to_json(r);
  for (const char* key :
       {"\"forward_s\"", "\"explain_over_forward\"", "\"sweep_batched_s\"", "\"sweep_separate_s\"",
        "\"sweep_batched_over_separate\"", "\"peak_forward_mb\"", "\"peak_explain_mb\""}) {
    EXPECT_NE(json.find(key), std::string::npos) << key;
  }
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.back(), '}');
  EXPECT_NE(to_text(r).find("explanation, 1 filter"), std::string::npos);
}

TEST(LrpBenchmark, MemoryNotMeasuredIsSaidNotPrintedAsARatioOfMinusOnes) {
  LrpBenchResult r;
  r.forward_s = r.explain_s = r.explain_other_s = r.sweep_batched_s = r.sweep_separate_s = 1;
  r.peak_forward_mb = r.peak_explain_mb = r.peak_sweep_mb = -1;
  const std::string text = to_text(r);
  EXPECT_NE(text.find("peak memory: not measured"), std::string::npos) << text;
  EXPECT_EQ(text.find("-1.0 MB"), std::string::npos) << text;
  EXPECT_NE(to_json(r).find("\"peak_explain_over_forward\":null"), std::string::npos);
}

}  // namespace
}  // namespace lrpseg
