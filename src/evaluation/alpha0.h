#pragma once
// The sweet spot α0 of the paper's filter calculus (Tjoa et al., "Filter
// calculus"; issue 11): among the filters α = (0, α) of one family (pass or
// clamp), α0 is the α of highest objective (a higher-is-better evaluation
// metric, mean over cases) whose explanation also passes the declared
// constraints. Candidates are checked in order of objective, best first, so
// the costly constraints (region perturbation) are only measured until a
// candidate passes; the ones below α0 are reported as not checked.
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lrpseg {

// `count` values log-spaced from `low` to `high` inclusive (count 1: high).
// Throws lrpseg::Error naming --alpha-grid unless 0 < low ≤ high ≤ 1 and count ≥ 1.
std::vector<double> alpha_grid(int count, double low, double high);
// Parses "24:0.005-1" (count:low-high) or an explicit list "0.05,0.1,0.2".
std::vector<double> parse_alpha_grid(const std::string& spec);

struct AlphaCriterion {
  std::string objective = "mass_accuracy";  // see alpha_objectives()
  double abpc_tolerance = 0.1;              // ABPC(α) ≥ ABPC(raw) − tolerance · |ABPC(raw)|
  double min_precision_correlation = 0.99;  // float32 vs float64 Pearson, mean over cases
  double min_robustness_correlation = 0.9;  // mean Pearson under input noise (issue 14)
  double robustness_sigma = 0.01;           // the noise of that constraint
};

// Metric names an objective may name (higher is better for each).
const std::vector<std::string>& alpha_objectives();
// Throws lrpseg::Error naming the option for an unknown objective or bad bounds.
void check_alpha_criterion(const AlphaCriterion& criterion);

struct AlphaCandidate {
  double alpha = 0;
  std::optional<double> objective;         // mean over cases; nullopt when undefined everywhere
  bool checked = false;                    // constraints measured
  std::map<std::string, double> measured;  // constraint values, when checked
  std::string rejected;                    // why it is not α0 ("" for α0)
};

struct AlphaChoice {
  std::string family;            // "pass" or "clamp"
  std::optional<double> alpha0;  // nullopt when no candidate passes
  std::optional<double> objective;
  std::vector<AlphaCandidate> candidates;  // in grid order
};

// Why candidate i fails the constraints ("" when it passes); fills `measured`.
using ConstraintCheck =
    std::function<std::string(size_t i, std::map<std::string, double>& measured)>;

// The candidates with a defined objective in the order select_alpha0 checks them:
// objective descending, ties by the smaller α (the stronger filter).
std::vector<size_t> check_order(const std::vector<double>& alphas,
                                const std::vector<std::optional<double>>& objective);

// Picks α0 of `family` from the objective per grid value; ties prefer the
// smaller α (the stronger filter). Undefined objectives are never chosen.
AlphaChoice select_alpha0(const std::string& family, const std::vector<double>& alphas,
                          const std::vector<std::optional<double>>& objective,
                          const ConstraintCheck& check);

nlohmann::json to_json(const AlphaChoice& choice, const AlphaCriterion& criterion);

}  // namespace lrpseg
