#include "report/evaluation_plots.h"

#include <cmath>
#include <filesystem>
#include <limits>
#include <map>

#include "evaluation/randomisation.h"
#include "report/plots.h"
#include "util/csv.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;

std::string label_of(const std::string& method, const std::string& filter) {
  return filter == "-" ? method : method + " " + filter;
}

// Pointwise mean of equally long series.
std::vector<double> mean_of(const std::vector<std::vector<double>>& series) {
  std::vector<double> mean(series.front().size(), 0.0);
  for (const auto& s : series) {
    for (size_t i = 0; i < mean.size(); ++i) mean[i] += s[i] / static_cast<double>(series.size());
  }
  return mean;
}

// Keeps first-seen order of labels.
struct Grouped {
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::vector<double>>> series;
  void add(const std::string& label, std::vector<double> values) {
    if (!series.count(label)) order.push_back(label);
    series[label].push_back(std::move(values));
  }
};

std::string plot_perturbation(const EvaluationResult& r, const std::string& dir) {
  Grouped morf, lerf, random;
  for (const CurveRow& c : r.curves) {
    if (c.order == "morf") morf.add(label_of(c.method, c.filter), c.scores);
    if (c.order == "lerf") lerf.add(label_of(c.method, c.filter), c.scores);
    if (c.order == "random") random.add("random order", c.scores);
  }
  std::vector<Curve> left, right;
  for (const auto& l : morf.order)
    left.push_back({l, r.perturbed_fractions, mean_of(morf.series[l])});
  for (const auto& l : random.order)
    left.push_back({l, r.perturbed_fractions, mean_of(random.series[l])});
  for (const auto& l : lerf.order)
    right.push_back({l, r.perturbed_fractions, mean_of(lerf.series[l])});
  const std::string name = "evaluation_perturbation.png";
  plot_curves(left, "lesion score, MoRF (most relevant first)", right,
              "lesion score, LeRF (least relevant first)", "share of brain patches replaced",
              (fs::path(dir) / name).string(), 1400, 700);
  return name;
}

std::string plot_randomisation(const EvaluationResult& r, const std::string& dir) {
  const auto& stages = randomisation_stages();
  std::map<std::string, size_t> stage_index;
  for (size_t i = 0; i < stages.size(); ++i) stage_index[stages[i]] = i + 1;
  // label → metric → stage → values over cases
  std::vector<std::string> order;
  std::map<std::string, std::map<std::string, std::vector<std::vector<double>>>> values;
  for (const EvaluationRow& row : r.rows) {
    const size_t colon = row.metric.find(':');
    if (colon == std::string::npos || row.metric.rfind("randomisation_", 0) != 0 || !row.value)
      continue;
    const std::string metric = row.metric.substr(0, colon);
    const auto stage = stage_index.find(row.metric.substr(colon + 1));
    if (stage == stage_index.end()) continue;
    const std::string label = label_of(row.method, row.filter);
    if (!values.count(label)) order.push_back(label);
    auto& per_stage = values[label][metric];
    per_stage.resize(stages.size() + 1);
    per_stage[stage->second].push_back(*row.value);
  }
  if (order.empty()) return "";
  std::vector<double> x;
  for (size_t i = 0; i <= stages.size(); ++i) x.push_back(static_cast<double>(i));
  auto curves = [&](const std::string& metric) {
    std::vector<Curve> out;
    for (const auto& label : order) {
      std::vector<double> y{1.0};  // the original explanation equals itself
      const auto& per_stage = values[label][metric];
      for (size_t i = 1; i <= stages.size(); ++i) {
        double sum = 0;
        const auto& v = i < per_stage.size() ? per_stage[i] : std::vector<double>{};
        for (double s : v) sum += s;
        y.push_back(v.empty() ? std::numeric_limits<double>::quiet_NaN() : sum / v.size());
      }
      out.push_back({label, x, y});
    }
    return out;
  };
  const std::string name = "evaluation_randomisation.png";
  plot_curves(curves("randomisation_spearman"), "Spearman with the original",
              curves("randomisation_ssim"), "SSIM with the original",
              "stages randomised (1 = head … 11 = b1)", (fs::path(dir) / name).string(), 1400, 700);
  return name;
}

std::string plot_alpha(const EvaluationResult& r, const std::string& dir) {
  std::vector<Curve> panels[2];
  const char* families[2] = {"pass", "clamp"};
  for (int f = 0; f < 2; ++f) {
    std::map<std::string, Curve> by_metric;
    std::vector<std::string> order;
    for (const AlphaCurvePoint& p : r.alpha_curves) {
      if (p.family != families[f]) continue;
      if (!by_metric.count(p.metric)) order.push_back(p.metric);
      Curve& c = by_metric[p.metric];
      c.label = p.metric;
      c.x.push_back(std::log10(p.alpha));
      c.y.push_back(p.mean ? *p.mean : std::numeric_limits<double>::quiet_NaN());
    }
    for (const auto& m : order) panels[f].push_back(by_metric[m]);
    for (const AlphaChoice& choice : r.alpha0) {
      if (choice.family != families[f] || !choice.alpha0) continue;
      const double x = std::log10(*choice.alpha0);
      panels[f].push_back({"alpha0 = " + csv_number(*choice.alpha0), {x, x}, {0.0, 1.0}});
    }
  }
  const std::string name = "evaluation_alpha.png";
  plot_curves(panels[0], "pass [0, alpha]: mean over cases", panels[1],
              "clamp [0, alpha]: mean over cases", "log10 alpha", (fs::path(dir) / name).string(),
              1400, 600);
  return name;
}

std::string plot_robustness(const EvaluationResult& r, const std::string& dir) {
  std::vector<std::string> order;
  std::map<std::string, std::map<std::string, Curve>> by_label;  // label → metric → curve
  for (const EvaluationSummaryRow& s : r.summary) {
    const size_t colon = s.metric.find(':');
    if (colon == std::string::npos || s.metric.rfind("robustness_", 0) != 0 || s.n == 0) continue;
    const std::string metric = s.metric.substr(0, colon);
    if (metric != "robustness_pearson" && metric != "robustness_max_sensitivity") continue;
    const std::string label = label_of(s.method, s.filter);
    if (!by_label.count(label)) order.push_back(label);
    Curve& c = by_label[label][metric];
    c.label = label;
    c.x.push_back(std::log10(std::stod(s.metric.substr(colon + 1))));
    c.y.push_back(s.mean);
  }
  if (order.empty() || by_label[order.front()]["robustness_pearson"].x.size() < 2) return "";
  std::vector<Curve> left, right;
  for (const auto& l : order) {
    left.push_back(by_label[l]["robustness_pearson"]);
    right.push_back(by_label[l]["robustness_max_sensitivity"]);
  }
  const std::string name = "evaluation_robustness.png";
  plot_curves(left, "correlation with the clean map", right, "max-sensitivity",
              "log10 sigma (relative input noise)", (fs::path(dir) / name).string(), 1400, 700);
  return name;
}

}  // namespace

std::vector<std::string> plot_evaluation(const EvaluationResult& r, const std::string& dir) {
  std::vector<std::string> files;
  if (!r.curves.empty()) files.push_back(plot_perturbation(r, dir));
  const std::string randomisation = plot_randomisation(r, dir);
  if (!randomisation.empty()) files.push_back(randomisation);
  if (!r.alpha_curves.empty()) files.push_back(plot_alpha(r, dir));
  const std::string robustness = plot_robustness(r, dir);
  if (!robustness.empty()) files.push_back(robustness);
  return files;
}

}  // namespace lrpseg
