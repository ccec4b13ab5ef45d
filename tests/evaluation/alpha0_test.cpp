#include "evaluation/alpha0.h"

#include <gtest/gtest.h>

#include <cmath>

#include "error_of.h"
#include "lrp/filters.h"

namespace lrpseg {
namespace {

TEST(Alpha0, ThePapersFilterCalculusExampleFindsPointOne) {
  // Tjoa et al., "Filter calculus": the true explanation is g = P[0.1, 0.5]
  // on x ∈ [0, 1]. A corrupted explanation has artefacts at amplitudes below
  // 0.1; the chain P[0, 0.5] ∘ P[α, 1] of two pass filters recovers g exactly
  // at α = 0.1, keeps artefacts below it and loses true signal above it. With
  // the objective −‖chain − g‖ the selection must find α0 = 0.1.
  const torch::Tensor x = torch::linspace(0, 1, 1001, torch::kDouble).view({1, -1});
  const torch::Tensor truth = apply_filter(x, Filter::pass(0.1, 0.5));
  // Below 0.1 the corrupted values wander under x (they stay below 0.1).
  const torch::Tensor corrupted =
      torch::where(x.lt(0.1), x * (0.5 + 0.5 * torch::sin(x * 300).abs()), x);
  const std::vector<double> grid{0.02, 0.05, 0.08, 0.1, 0.12, 0.2, 0.4};
  std::vector<std::optional<double>> objective;
  for (double a : grid) {
    const torch::Tensor chain =
        apply_filter(apply_filter(corrupted, Filter::pass(a, 1.0)), Filter::pass(0.0, 0.5));
    objective.push_back(-(chain - truth).abs().sum().item<double>());
  }
  EXPECT_DOUBLE_EQ(*objective[3], 0.0);  // exact at 0.1
  for (size_t i = 0; i < grid.size(); ++i) {
    if (i != 3) {
      EXPECT_LT(*objective[i], 0.0) << grid[i];
    }
  }
  const AlphaChoice c = select_alpha0("pass", grid, objective,
                                      [](size_t, std::map<std::string, double>&) { return ""; });
  ASSERT_TRUE(c.alpha0.has_value());
  EXPECT_DOUBLE_EQ(*c.alpha0, 0.1);
}

TEST(Alpha0, ConstraintsAreCheckedBestFirstUntilOnePasses) {
  const std::vector<double> grid{0.1, 0.2, 0.3, 0.4};
  const std::vector<std::optional<double>> objective{0.5, 0.9, std::nullopt, 0.7};
  std::vector<size_t> checked;
  const AlphaChoice c = select_alpha0("clamp", grid, objective,
                                      [&](size_t i, std::map<std::string, double>& measured) {
                                        checked.push_back(i);
                                        measured["abpc"] = static_cast<double>(i);
                                        return i == 1 ? std::string("too fragile") : "";
                                      });
  EXPECT_EQ(checked, (std::vector<size_t>{1, 3}));  // 0.2 (best) fails, 0.4 passes
  ASSERT_TRUE(c.alpha0.has_value());
  EXPECT_DOUBLE_EQ(*c.alpha0, 0.4);
  EXPECT_DOUBLE_EQ(*c.objective, 0.7);
  EXPECT_EQ(c.candidates[1].rejected, "too fragile");
  EXPECT_EQ(c.candidates[2].rejected, "objective undefined");
  EXPECT_FALSE(c.candidates[0].checked);
  EXPECT_NE(c.candidates[0].rejected.find("not checked"), std::string::npos);
  EXPECT_DOUBLE_EQ(c.candidates[3].measured.at("abpc"), 3.0);
  const nlohmann::json j = to_json(c, AlphaCriterion{});
  EXPECT_EQ(j["alpha0"], 0.4);
  EXPECT_EQ(j["candidates"][1]["status"], "too fragile");
  EXPECT_EQ(j["candidates"][3]["status"], "alpha0");
}

TEST(Alpha0, TiesPreferTheStrongerFilterAndNothingPassingGivesNoAlpha) {
  const std::vector<double> grid{0.1, 0.2, 0.3};
  const std::vector<std::optional<double>> flat{0.5, 0.5, 0.5};
  auto pass = [](size_t, std::map<std::string, double>&) { return std::string(); };
  EXPECT_DOUBLE_EQ(*select_alpha0("pass", grid, flat, pass).alpha0, 0.1);
  auto fail = [](size_t, std::map<std::string, double>&) { return std::string("no"); };
  const AlphaChoice none = select_alpha0("pass", grid, flat, fail);
  EXPECT_FALSE(none.alpha0.has_value());
  for (const auto& c : none.candidates) EXPECT_TRUE(c.checked);
}

TEST(Alpha0, GridsAreLogSpacedInsideTheUnitInterval) {
  const auto g = alpha_grid(24, 0.005, 1.0);
  ASSERT_EQ(g.size(), 24u);
  EXPECT_DOUBLE_EQ(g.front(), 0.005);
  EXPECT_DOUBLE_EQ(g.back(), 1.0);
  EXPECT_NEAR(g[1] / g[0], g[23] / g[22], 1e-9);
  EXPECT_EQ(parse_alpha_grid("3:0.01-1"), alpha_grid(3, 0.01, 1));
  EXPECT_EQ(parse_alpha_grid("0.05,0.1,0.2"), (std::vector<double>{0.05, 0.1, 0.2}));
  // "57777777777:0.2-1" (found by fuzz_parsers) overflowed the int count.
  for (const char* bad : {"0,0.1", "0.1,1.5", "24:0-1", "24:0.1-2", "0.2,0.1", "x",
                          "57777777777:0.2-1", "inf:0.2-1", "1001:0.2-1"}) {
    EXPECT_NE(test::error_of([&] { parse_alpha_grid(bad); }).find("--alpha-grid"),
              std::string::npos)
        << bad;
  }
  AlphaCriterion c;
  c.objective = "beauty";
  EXPECT_NE(test::error_of([&] { check_alpha_criterion(c); }).find("--objective"),
            std::string::npos);
}

}  // namespace
}  // namespace lrpseg
