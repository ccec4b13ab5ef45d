#include "evaluation/alpha0.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "util/error.h"
#include "util/text.h"

namespace lrpseg {

std::vector<double> alpha_grid(int count, double low, double high) {
  if (count < 1) throw UsageError("--alpha-grid: needs at least one value");
  if (!(low > 0 && low <= high && high <= 1))
    throw UsageError("--alpha-grid: values must lie in (0, 1] with low <= high");
  if (count == 1) return {high};
  std::vector<double> out(count);
  const double a = std::log(low), b = std::log(high);
  for (int i = 0; i < count; ++i) out[i] = std::exp(a + (b - a) * i / (count - 1));
  out.front() = low;
  out.back() = high;
  return out;
}

std::vector<double> parse_alpha_grid(const std::string& spec) {
  auto number = [&](const std::string& text) {
    const std::optional<double> v = parse_double(trim(text));
    if (!v) throw UsageError("--alpha-grid: '" + text + "' is not a number");
    return *v;
  };
  const size_t colon = spec.find(':');
  if (colon != std::string::npos) {
    const std::string range = spec.substr(colon + 1);
    const size_t dash = range.find('-');
    if (dash == std::string::npos) throw UsageError("--alpha-grid: expected COUNT:LOW-HIGH");
    const double count = number(spec.substr(0, colon));
    if (count != std::floor(count)) throw UsageError("--alpha-grid: COUNT must be an integer");
    // Each α is one more filter in every relevance pass; beyond a thousand the
    // grid is a typo (and beyond int, undefined).
    if (!(count >= 1 && count <= 1000))
      throw UsageError("--alpha-grid: COUNT must be between 1 and 1000");
    return alpha_grid(static_cast<int>(count), number(range.substr(0, dash)),
                      number(range.substr(dash + 1)));
  }
  std::vector<double> out;
  for (const std::string& item : split_list(spec)) {
    const double v = number(item);
    if (!(v > 0 && v <= 1)) throw UsageError("--alpha-grid: values must lie in (0, 1]");
    out.push_back(v);
  }
  if (!std::is_sorted(out.begin(), out.end()) ||
      std::adjacent_find(out.begin(), out.end()) != out.end())
    throw UsageError("--alpha-grid: values must increase");
  return out;
}

const std::vector<std::string>& alpha_objectives() {
  static const std::vector<std::string> names{
      "mass_accuracy",      "rank_accuracy",      "pointing_game",  "mass_accuracy_case",
      "rank_accuracy_case", "pointing_game_case", "gt_inclusivity", "input_inclusivity"};
  return names;
}

void check_alpha_criterion(const AlphaCriterion& c) {
  const auto& names = alpha_objectives();
  if (std::find(names.begin(), names.end(), c.objective) == names.end()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    throw UsageError("--objective: unknown metric '" + c.objective + "' (one of: " + list + ")");
  }
  if (!(c.abpc_tolerance >= 0)) throw UsageError("--abpc-tolerance: must not be negative");
  if (!(c.min_precision_correlation >= -1 && c.min_precision_correlation <= 1))
    throw UsageError("--min-precision-correlation: must be in [-1, 1]");
  if (!(c.min_robustness_correlation >= -1 && c.min_robustness_correlation <= 1))
    throw UsageError("--min-robustness-correlation: must be in [-1, 1]");
  if (!(c.robustness_sigma > 0 && c.robustness_sigma < 1))
    throw UsageError("--robustness-sigma: each σ must be in (0, 1)");
}

std::vector<size_t> check_order(const std::vector<double>& alphas,
                                const std::vector<std::optional<double>>& objective) {
  std::vector<size_t> order;
  for (size_t i = 0; i < alphas.size(); ++i) {
    if (objective[i]) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (*objective[a] != *objective[b]) return *objective[a] > *objective[b];
    return alphas[a] < alphas[b];
  });
  return order;
}

AlphaChoice select_alpha0(const std::string& family, const std::vector<double>& alphas,
                          const std::vector<std::optional<double>>& objective,
                          const ConstraintCheck& check) {
  if (alphas.size() != objective.size()) throw Error("select_alpha0: one objective per α");
  AlphaChoice choice;
  choice.family = family;
  for (size_t i = 0; i < alphas.size(); ++i)
    choice.candidates.push_back({alphas[i], objective[i], false, {}, ""});

  for (size_t i = 0; i < alphas.size(); ++i) {
    if (!objective[i]) choice.candidates[i].rejected = "objective undefined";
  }
  for (size_t i : check_order(alphas, objective)) {
    AlphaCandidate& c = choice.candidates[i];
    if (choice.alpha0) {
      c.rejected = "not checked: objective below alpha0's";
      continue;
    }
    c.checked = true;
    c.rejected = check(i, c.measured);
    if (c.rejected.empty()) {
      choice.alpha0 = c.alpha;
      choice.objective = c.objective;
    }
  }
  return choice;
}

nlohmann::json to_json(const AlphaChoice& choice, const AlphaCriterion& criterion) {
  nlohmann::json candidates = nlohmann::json::array();
  for (const AlphaCandidate& c : choice.candidates) {
    nlohmann::json j = {{"alpha", c.alpha},
                        {"objective", c.objective ? nlohmann::json(*c.objective) : nullptr},
                        {"checked", c.checked},
                        {"measured", c.measured}};
    j["status"] = c.rejected.empty() ? "alpha0" : c.rejected;
    candidates.push_back(j);
  }
  return {{"family", choice.family},
          {"filter", choice.family + ":0-alpha"},
          {"alpha0", choice.alpha0 ? nlohmann::json(*choice.alpha0) : nullptr},
          {"objective_value", choice.objective ? nlohmann::json(*choice.objective) : nullptr},
          {"criterion",
           {{"objective", criterion.objective},
            {"abpc_tolerance", criterion.abpc_tolerance},
            {"min_precision_correlation", criterion.min_precision_correlation},
            {"min_robustness_correlation", criterion.min_robustness_correlation},
            {"robustness_sigma", criterion.robustness_sigma}}},
          {"candidates", candidates}};
}

}  // namespace lrpseg
