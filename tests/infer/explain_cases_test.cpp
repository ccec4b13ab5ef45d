#include "infer/explain_cases.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "data/preprocess.h"
#include "data/synth.h"
#include "io/nifti.h"
#include "lrp/relevance.h"
#include "model/checkpoint.h"
#include "temp_dir.h"
#include "tiny_model.h"
#include "train/trainer.h"
#include "util/atomic_file.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;

TEST(ExplainCases, FilterTagsAreFileSafe) {
  EXPECT_EQ(filter_file_tag("pass:0-0.2"), "pass_0-0.2");
  EXPECT_EQ(filter_file_tag("raw"), "raw");
}

TEST(ExplainCases, SelectFiltersTakesThoseRowsInTheGivenOrder) {
  CaseExplanation c;
  c.explanation.filters = {"raw", "pass:0-0.4", "clamp:0-0.2"};
  c.explanation.relevance = torch::arange(3 * 6 * 8, torch::kDouble).reshape({3, 6, 2, 2, 2});
  c.explanation.max_abs_per_channel = torch::arange(18, torch::kDouble).reshape({3, 6});
  c.explanation.sum_input = torch::tensor({1.0, 2.0, 3.0});
  c.case_index = nearest_index_map({2, 2, 2}, {2, 4, 4});
  c.check = PrecisionCheck{};
  const auto s = select_filters(c, {"clamp:0-0.2", "raw"});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->explanation.filters, (std::vector<std::string>{"clamp:0-0.2", "raw"}));
  EXPECT_TRUE(torch::equal(s->explanation.relevance[0], c.explanation.relevance[2]));
  EXPECT_TRUE(torch::equal(s->explanation.relevance[1], c.explanation.relevance[0]));
  EXPECT_TRUE(torch::equal(case_grid_relevance(*s, 0), case_grid_relevance(c, 2)));
  EXPECT_TRUE(torch::equal(case_grid_relevance(c, 2),
                           resize(c.explanation.relevance[2], {2, 4, 4}, Interpolation::Nearest)));
  EXPECT_TRUE(
      torch::equal(s->explanation.max_abs_per_channel[1], c.explanation.max_abs_per_channel[0]));
  EXPECT_TRUE(torch::equal(s->explanation.sum_input, torch::tensor({3.0, 1.0})));
  EXPECT_FALSE(s->check.has_value());
  EXPECT_FALSE(select_filters(c, {"raw", "pass:0-0.2"}).has_value());
}

}  // namespace
}  // namespace lrpseg
