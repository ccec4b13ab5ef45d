#include "analysis/metrics.h"

#include <gtest/gtest.h>

#include "analysis/inclusivity.h"
#include "analysis/signal.h"
#include "data/preprocess.h"
#include "util/error.h"

namespace lrpseg {
namespace {

torch::Tensor mask(std::vector<int> values) {
  return torch::tensor(values, torch::kInt).to(torch::kBool);
}

TEST(Inclusivity, IsTheShareOfBCoveredByA) {
  auto value = inclusivity(mask({1, 1, 0, 0}), mask({0, 1, 1, 0}), 0.0);
  ASSERT_TRUE(value.has_value());
  EXPECT_DOUBLE_EQ(*value, 0.5);
}

TEST(Inclusivity, SmoothingConstantEntersTheDenominator) {
  EXPECT_DOUBLE_EQ(*inclusivity(mask({1, 1, 0, 0}), mask({0, 1, 1, 0}), 2.0), 0.25);
}

TEST(Inclusivity, EmptyBIsUndefinedUnlessSmoothed) {
  EXPECT_FALSE(inclusivity(mask({1, 1, 0}), mask({0, 0, 0}), 0.0).has_value());
  auto smoothed = inclusivity(mask({1, 1, 0}), mask({0, 0, 0}), 0.5);
  ASSERT_TRUE(smoothed.has_value());
  EXPECT_DOUBLE_EQ(*smoothed, 0.0);
}

TEST(Inclusivity, ASupersetOfBGivesOne) {
  EXPECT_DOUBLE_EQ(*inclusivity(mask({1, 1, 1, 0}), mask({0, 1, 1, 0}), 0.0), 1.0);
}

TEST(Inclusivity, MasksOfDifferentShapesAreAnError) {
  EXPECT_THROW(inclusivity(mask({1, 1}), mask({1, 1, 1}), 0.0), Error);
}

TEST(Inclusivity, MeanOfDefinedSkipsUndefinedValues) {
  EXPECT_DOUBLE_EQ(*mean_of_defined({0.2, std::nullopt, 0.6}), 0.4);
  EXPECT_FALSE(mean_of_defined({std::nullopt, std::nullopt}).has_value());
  EXPECT_FALSE(mean_of_defined({}).has_value());
}

TEST(AmplitudeMask, ThresholdIsStrictAndPerChannel) {
  auto x = torch::tensor({{10.f, 0.f, -5.f, 1.f}, {0.f, 0.f, 0.f, 0.f}, {0.1f, 0.2f, 0.3f, 0.4f}});
  auto m = amplitude_mask(x, 0.1);
  // 1/10 is exactly the threshold: excluded; a zero channel is empty, not NaN.
  EXPECT_TRUE(torch::equal(m[0], mask({1, 0, 1, 0})));
  EXPECT_TRUE(torch::equal(m[1], mask({0, 0, 0, 0})));
  EXPECT_TRUE(torch::equal(m[2], mask({1, 1, 1, 1})));
}

TEST(AmplitudeMask, EqualsTheFloat64DefinitionOnRandomValues) {
  torch::manual_seed(3);
  // Rounded values put many voxels exactly at or next to the thresholds.
  auto x = (torch::randn({3, 4000}) * 20).round() / 20;
  for (double threshold : {0.1, 0.3, 0.5, 0.7}) {
    auto magnitude = x.abs().to(torch::kFloat64);
    auto expected = magnitude / std::get<0>(magnitude.max(1, true)) > threshold;
    EXPECT_TRUE(torch::equal(amplitude_mask(x, threshold), expected)) << threshold;
  }
}

// Six channels of four voxels each, (6, 1, 2, 2); see the hand-computed values below.
torch::Tensor channels(std::vector<std::vector<float>> values) {
  std::vector<torch::Tensor> rows;
  for (const auto& v : values) rows.push_back(torch::tensor(v).reshape({1, 1, 2, 2}));
  return torch::cat(rows);
}

const torch::Tensor& relevance() {
  static const torch::Tensor r = channels({{1.0f, 0.5f, -0.6f, 0.0f},  // a = 1010 (0.5 excluded)
                                           {0.0f, 0.0f, 0.0f, 0.0f},   // zero: a empty
                                           {0.2f, -0.4f, 0.1f, 0.3f},  // /0.4: a = 0101
                                           {-2.0f, 0.0f, 0.0f, 0.0f},  // a = 1000; global max 2
                                           {0.0f, 0.0f, 0.0f, 0.1f},   // a = 0001
                                           {0.05f, 0.05f, 0.05f, 0.05f}});  // a = 1111
  return r;
}

const torch::Tensor& raw_input() {
  static const torch::Tensor x = channels({{10, 0, 5, 1},   // b = 1010 (1/10 excluded)
                                           {0, 0, 0, 0},    // b empty
                                           {1, 1, 1, 1},    // b = 1111
                                           {0, 0, 0, 3},    // b = 0001
                                           {-4, 0, 0, 0},   // b = 1000 (by magnitude)
                                           {1, 2, 3, 4}});  // b = 1111
  return x;
}

torch::Tensor ot() { return torch::tensor({0, 0, 1, 1}, torch::kUInt8).reshape({1, 2, 2}); }

TEST(ChannelMetrics, InclusivitiesMatchHandComputedValues) {
  auto m = channel_metrics(relevance(), raw_input(), ot(), MetricOptions{});
  ASSERT_EQ(m.size(), 6u);
  const std::vector<std::optional<double>> input = {1.0, std::nullopt, 0.5, 0.0, 0.0, 1.0};
  const std::vector<double> gt = {0.5, 0.0, 0.5, 0.0, 0.5, 1.0};
  for (size_t c = 0; c < 6; ++c) {
    SCOPED_TRACE(c);
    EXPECT_EQ(m[c].input_inclusivity, input[c]);
    ASSERT_TRUE(m[c].gt_inclusivity.has_value());
    EXPECT_DOUBLE_EQ(*m[c].gt_inclusivity, gt[c]);
  }
}

TEST(ChannelMetrics, WithoutGroundTruthGtInclusivityIsUndefined) {
  auto m = channel_metrics(relevance(), raw_input(), torch::Tensor(), MetricOptions{});
  for (const auto& c : m) EXPECT_FALSE(c.gt_inclusivity.has_value());
}

TEST(ChannelMetrics, SmoothingMakesAnEmptyInputMaskDefined) {
  MetricOptions o;
  o.smoothing = 1.0;
  auto m = channel_metrics(relevance(), raw_input(), ot(), o);
  ASSERT_TRUE(m[1].input_inclusivity.has_value());
  EXPECT_DOUBLE_EQ(*m[1].input_inclusivity, 0.0);
  EXPECT_DOUBLE_EQ(*m[0].input_inclusivity, 2.0 / 3.0);
}

TEST(ChannelMetrics, ThresholdsAreOptions) {
  MetricOptions o;
  o.relevance_threshold = 0.4;  // channel 0: 0.5 now counts → a = 1110
  auto m = channel_metrics(relevance(), raw_input(), ot(), o);
  EXPECT_DOUBLE_EQ(*m[0].input_inclusivity, 1.0);
  EXPECT_DOUBLE_EQ(*m[0].gt_inclusivity, 0.5);
  EXPECT_DOUBLE_EQ(*m[5].input_inclusivity, 1.0);
}

TEST(ChannelMetrics, MeanSignalIsNormalisedByTheMaxOverAllChannels) {
  auto m = channel_metrics(relevance(), raw_input(), ot(), MetricOptions{});
  // max|R| = 2 over all channels; channel 0 sums to 0.9 over 4 voxels.
  EXPECT_NEAR(m[0].area_signal, 0.45, 1e-6);
  EXPECT_NEAR(m[0].mean_signal, 0.1125, 1e-6);
  EXPECT_EQ(m[1].mean_signal, 0.0);
  EXPECT_NEAR(m[2].mean_signal, 0.025, 1e-6);
  EXPECT_NEAR(m[3].mean_signal, -0.25, 1e-6);
  EXPECT_NEAR(m[3].area_signal, -1.0, 1e-6);
}

TEST(ChannelMetrics, PerChannelSignalMaxNormalisesEachChannelByItsOwnMax) {
  MetricOptions o;
  o.per_channel_signal_max = true;
  auto m = channel_metrics(relevance(), raw_input(), ot(), o);
  EXPECT_NEAR(m[0].mean_signal, 0.225, 1e-6);
  EXPECT_NEAR(m[2].area_signal, 0.5, 1e-6);
  EXPECT_EQ(m[1].mean_signal, 0.0);  // zero channel: 0, not NaN
  EXPECT_NEAR(m[5].mean_signal, 1.0, 1e-6);
}

TEST(ChannelMetrics, BatchEqualsOneCallPerMap) {
  auto batch = torch::stack({relevance(), -0.5 * relevance()});
  auto all = channel_metrics_batch(batch, raw_input(), ot(), MetricOptions{});
  ASSERT_EQ(all.size(), 2u);
  auto second = channel_metrics(batch[1], raw_input(), ot(), MetricOptions{});
  for (size_t c = 0; c < 6; ++c) {
    EXPECT_EQ(all[1][c].gt_inclusivity, second[c].gt_inclusivity);
    EXPECT_EQ(all[1][c].input_inclusivity, second[c].input_inclusivity);
    EXPECT_DOUBLE_EQ(all[1][c].mean_signal, second[c].mean_signal);
    // The normalisation removes the amplitude: -0.5·R has the signal of -R.
    EXPECT_NEAR(all[1][c].mean_signal, -all[0][c].mean_signal, 1e-6);
  }
}

TEST(ChannelMetrics, MismatchedGridsAreAnError) {
  EXPECT_THROW(channel_metrics(relevance(), raw_input().narrow(3, 0, 1), ot(), MetricOptions{}),
               Error);
  EXPECT_THROW(channel_metrics(relevance(), raw_input(), torch::zeros({1, 1, 2}), MetricOptions{}),
               Error);
}

}  // namespace
}  // namespace lrpseg

namespace lrpseg {
namespace {

// Metrics on the network grid with copy counts against the metrics of the
// explicitly resized map, on grids that shrink one axis and grow the others.
void expect_resized_equals_explicit(torch::Dtype dtype, bool per_channel_max) {
  torch::manual_seed(3);
  const std::array<int64_t, 3> network{5, 7, 9}, grid{3, 16, 20};
  torch::Tensor relevance = torch::randn({2, 6, 5, 7, 9}, dtype);
  relevance[1][4].zero_();          // a zero channel: empty mask, zero signal
  relevance[0][2][4][6][8] = 40.0;  // a maximum in a slice the case grid drops
  const torch::Tensor raw = torch::rand({6, 3, 16, 20}) * 100;
  const torch::Tensor ot = (torch::rand({3, 16, 20}) > 0.7).to(torch::kUInt8);
  const torch::Tensor index = nearest_index_map(network, grid);
  const torch::Tensor resized =
      resize(relevance.reshape({-1, 5, 7, 9}), grid, Interpolation::Nearest)
          .reshape({2, 6, 3, 16, 20});
  MetricOptions options;
  options.per_channel_signal_max = per_channel_max;
  options.smoothing = 0.5;
  const auto expected = channel_metrics_batch(resized, raw, ot, options);
  const auto actual = channel_metrics_resized(relevance, index, raw, ot, options);
  const double tolerance = dtype == torch::kDouble ? 1e-12 : 1e-6;
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t k = 0; k < expected.size(); ++k) {
    for (size_t c = 0; c < 6; ++c) {
      const ChannelMetrics &a = actual[k][c], &e = expected[k][c];
      EXPECT_EQ(a.gt_inclusivity, e.gt_inclusivity) << k << " " << c;
      EXPECT_EQ(a.input_inclusivity, e.input_inclusivity) << k << " " << c;
      EXPECT_NEAR(a.mean_signal, e.mean_signal, tolerance * std::max(1.0, std::abs(e.mean_signal)));
      EXPECT_NEAR(a.area_signal, e.area_signal, tolerance * std::max(1.0, std::abs(e.area_signal)));
    }
  }
  // The maximum the case grid drops does not normalise anything.
  EXPECT_TRUE(torch::equal(index.flatten().bincount({}, 5 * 7 * 9)[4 * 63 + 6 * 9 + 8],
                           torch::tensor(0, torch::kLong)));
}

TEST(ChannelMetricsResized, EqualsTheMetricsOfTheResizedMapInFloat64) {
  expect_resized_equals_explicit(torch::kDouble, false);
  expect_resized_equals_explicit(torch::kDouble, true);
}

TEST(ChannelMetricsResized, EqualsTheMetricsOfTheResizedMapInFloat32) {
  expect_resized_equals_explicit(torch::kFloat, false);
}

TEST(ChannelMetricsResized, IndexMapGathersLikeNearestResize) {
  const torch::Tensor volume = torch::randn({1, 4, 6, 5}, torch::kDouble);
  const torch::Tensor index = nearest_index_map({4, 6, 5}, {7, 3, 11});
  EXPECT_TRUE(torch::equal(volume.reshape({-1}).index({index}),
                           resize(volume, {7, 3, 11}, Interpolation::Nearest).squeeze(0)));
  EXPECT_TRUE(torch::equal(nearest_index_map({2, 3, 4}, {2, 3, 4}).flatten(),
                           torch::arange(24, torch::kLong)));
}

TEST(ChannelMetricsResized, RejectsAnIndexMapOfAnotherGrid) {
  const torch::Tensor relevance = torch::randn({1, 6, 2, 2, 2});
  const torch::Tensor raw = torch::rand({6, 3, 3, 3});
  EXPECT_THROW(channel_metrics_resized(relevance, nearest_index_map({2, 2, 2}, {3, 3, 4}), raw,
                                       torch::Tensor(), MetricOptions{}),
               Error);
  EXPECT_THROW(channel_metrics_resized(relevance, torch::full({3, 3, 3}, 9, torch::kLong), raw,
                                       torch::Tensor(), MetricOptions{}),
               Error);
}

}  // namespace
}  // namespace lrpseg
