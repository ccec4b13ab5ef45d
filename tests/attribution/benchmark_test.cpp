// `bench attribution` on a tiny network: every requested method is timed and
// reported as a multiple of the forward pass.
#include "attribution/benchmark.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "util/error.h"

namespace lrpseg {
namespace {

TEST(AttributionBench, TimesEachMethodAgainstTheForward) {
  AttributionBenchOptions o;
  o.width = 2;
  o.size_dhw = {4, 8, 8};
  o.threads = 1;
  o.methods = {Method::IntegratedGradients, Method::Occlusion};
  o.attribution.ig_steps = 4;
  o.attribution.occlusion_patch = {2, 4, 4};
  const AttributionBenchResult r = run_attribution_benchmark(o);
  ASSERT_EQ(r.seconds.size(), 2u);
  EXPECT_GT(r.forward_s, 0.0);
  EXPECT_EQ(r.seconds[1].first, Method::Occlusion);
  EXPECT_GT(r.seconds[1].second, 0.0);
  const auto j = nlohmann::json::parse(r.to_json());
  EXPECT_NEAR(j["methods"]["occlusion"]["over_forward"].get<double>(),
              r.seconds[1].second / r.forward_s, 1e-9);
  EXPECT_NE(r.to_text().find("integrated-gradients"), std::string::npos);
  o.methods = {Method::Lrp};
  EXPECT_THROW(run_attribution_benchmark(o), Error);
}

}  // namespace
}  // namespace lrpseg
