#include "lrp/filters.h"

#include <gtest/gtest.h>

#include <cmath>

#include "util/error.h"

namespace lrpseg {
namespace {

// One sample (1, 1, 1, 1, 6) with max|R| = 10.
torch::Tensor sample() {
  return torch::tensor({10.0f, -1.0f, 2.0f, -5.0f, 0.0f, 0.5f}).view({1, 1, 1, 1, 6});
}

std::vector<float> values(const torch::Tensor& t) {
  torch::Tensor flat = t.reshape({-1}).contiguous();
  return std::vector<float>(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
}

TEST(Filters, RawLeavesRelevanceUnchanged) {
  EXPECT_TRUE(torch::equal(apply_filter(sample(), Filter::raw()), sample()));
}

TEST(Filters, PassKeepsNormalisedAmplitudesInsideTheBandInclusive) {
  // |R'| = 1, .1, .2, .5, 0, .05
  EXPECT_EQ(values(apply_filter(sample(), Filter::pass(0.0, 0.2))),
            (std::vector<float>{0, -1, 2, 0, 0, 0.5}));
  EXPECT_EQ(values(apply_filter(sample(), Filter::pass(0.1, 0.5))),
            (std::vector<float>{0, -1, 2, -5, 0, 0}));
  EXPECT_EQ(values(apply_filter(sample(), Filter::pass(0.4, 1.0))),
            (std::vector<float>{10, 0, 0, -5, 0, 0}));
}

TEST(Filters, ClampClampsAmplitudesKeepingSignAndExactZeros) {
  EXPECT_EQ(values(apply_filter(sample(), Filter::clamp(0.0, 0.2))),
            (std::vector<float>{2, -1, 2, -2, 0, 0.5}));
  EXPECT_EQ(values(apply_filter(sample(), Filter::clamp(0.1, 0.2))),
            (std::vector<float>{2, -1, 2, -2, 0, 1}));
}

TEST(Filters, NormaliseEachSampleByItsOwnMaximum) {
  torch::Tensor two = torch::cat({sample(), sample() * 0.1});  // max 10 and max 1
  torch::Tensor out = apply_filter(two, Filter::pass(0.0, 0.2));
  EXPECT_TRUE(torch::allclose(out[1], apply_filter(sample(), Filter::pass(0.0, 0.2))[0] * 0.1));
}

TEST(Filters, AllZeroRelevanceStaysZeroWithoutNaN) {
  torch::Tensor zero = torch::zeros({2, 3, 2, 2, 2});
  for (const Filter& f : paper_filters()) {
    torch::Tensor out = apply_filter(zero, f);
    EXPECT_TRUE(torch::equal(out, zero)) << to_string(f);
  }
}

TEST(Filters, BatchAppliesOneFilterPerSample) {
  torch::Tensor batch = torch::cat({sample(), sample(), sample()});
  apply_filters_(batch, {Filter::raw(), Filter::pass(0.0, 0.2), Filter::clamp(0.0, 0.2)});
  EXPECT_TRUE(torch::equal(batch[0], sample()[0]));
  EXPECT_TRUE(torch::equal(batch[1], apply_filter(sample(), Filter::pass(0.0, 0.2))[0]));
  EXPECT_TRUE(torch::equal(batch[2], apply_filter(sample(), Filter::clamp(0.0, 0.2))[0]));
  EXPECT_THROW(apply_filters_(batch, {Filter::raw()}), Error);
}

TEST(Filters, ParseAcceptsFullAndShortForms) {
  EXPECT_EQ(parse_filter("raw"), Filter::raw());
  EXPECT_EQ(parse_filter("pass:0.2"), Filter::pass(0.0, 0.2));
  EXPECT_EQ(parse_filter("pass:0-0.2"), Filter::pass(0.0, 0.2));
  EXPECT_EQ(parse_filter("pass:0.05-1"), Filter::pass(0.05, 1.0));
  EXPECT_EQ(parse_filter("clamp:0.05"), Filter::clamp(0.0, 0.05));
  EXPECT_EQ(to_string(Filter::pass(0.0, 0.2)), "pass:0-0.2");
  for (const Filter& f : paper_filters()) EXPECT_EQ(parse_filter(to_string(f)), f);
}

TEST(Filters, ParseRejectsInvalidSpecs) {
  for (const char* bad : {"pass:0.5-0.2", "pass:1.5", "clamp:", "foo", "pass:0", "clamp:-0.1",
                          "pass:0.1-0.2-0.3", "pass:a-b", "raw:0.2", ""}) {
    EXPECT_THROW(parse_filter(bad), Error) << bad;
  }
  EXPECT_THROW(Filter::pass(0.3, 0.3), Error);
  EXPECT_THROW(Filter::clamp(-0.1, 0.5), Error);
}

TEST(Filters, PaperShortcutIsTheSixteenSettingsInDesignOrder) {
  std::vector<Filter> paper = parse_filters("paper");
  ASSERT_EQ(paper.size(), 16u);
  std::vector<std::string> names;
  for (const Filter& f : paper) names.push_back(to_string(f));
  EXPECT_EQ(names,
            (std::vector<std::string>{"raw", "pass:0-0.05", "pass:0-0.1", "pass:0-0.2",
                                      "pass:0-0.4", "pass:0-0.6", "pass:0.05-1", "pass:0.1-1",
                                      "pass:0.2-1", "pass:0.4-1", "pass:0.6-1", "clamp:0-0.05",
                                      "clamp:0-0.1", "clamp:0-0.2", "clamp:0-0.4", "clamp:0-0.6"}));
  EXPECT_EQ(parse_filters("raw, pass:0-0.2,clamp:0.05").size(), 3u);
  EXPECT_THROW(parse_filters(""), Error);
}

}  // namespace
}  // namespace lrpseg
