#include "evaluation/evaluate.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>

#include "analysis/inclusivity.h"
#include "data/preprocess.h"
#include "distributed/process_group.h"
#include "evaluation/known_evidence.h"
#include "infer/segment.h"
#include "lrp/precision_check.h"
#include "metrics/localisation.h"
#include "model/checkpoint.h"
#include "util/atomic_file.h"
#include "util/csv.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/text.h"
#include "util/threads.h"

namespace lrpseg {
namespace fs = std::filesystem;

const std::vector<std::string>& evaluation_families() {
  static const std::vector<std::string> families{"localisation", "faithfulness", "sanity",
                                                 "evidence",     "stability",    "robustness"};
  return families;
}

std::vector<std::string> parse_evaluation_families(const std::string& list) {
  if (list == "all") return evaluation_families();
  const auto& known = evaluation_families();
  std::vector<std::string> out;
  for (const std::string& name : split_list(list)) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string names;
      for (const auto& k : known) names += (names.empty() ? "" : ", ") + k;
      throw UsageError("--metrics: unknown metric family '" + name + "' (all, " + names + ")");
    }
    if (std::find(out.begin(), out.end(), name) != out.end())
      throw UsageError("--metrics: '" + name + "' given twice");
    out.push_back(name);
  }
  return out;
}

namespace {

bool has(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

bool has_lrp(const EvaluateOptions& o) { return o.methods.has(Method::Lrp); }

}  // namespace

void check_evaluate_options(const EvaluateOptions& o) {
  if (o.cases.empty()) throw Error("evaluate: no cases selected");
  if (o.out_dir.empty()) throw UsageError("--out: required");
  for (const auto& f : o.families) {
    if (!has(evaluation_families(), f))
      throw UsageError("--metrics: unknown metric family '" + f + "'");
  }
  if (o.methods.methods.empty()) throw UsageError("--methods: needs at least one method");
  if (has(o.families, "robustness")) check_robustness_options(o.robustness);
  for (int c : o.evidence) {
    if (c < 0 || c >= static_cast<int>(kModalities.size()))
      throw UsageError("--evidence: channel out of range");
  }
  check_randomisation_checkpoints(o.randomisation_checkpoints);
  if (o.select) {
    if (!has_lrp(o)) throw UsageError("--select: needs lrp among --methods");
    if (o.selection.grid.empty()) throw UsageError("--alpha-grid: needs at least one value");
    for (double a : o.selection.grid) {
      if (!(a > 0 && a <= 1)) throw UsageError("--alpha-grid: values must lie in (0, 1]");
    }
    check_alpha_criterion(o.selection.criterion);
    if (o.selection.robustness_samples < 1)
      throw UsageError("--select-robustness-samples: must be at least 1");
  }
}

namespace {

// What the α0 selection needs of a case after the main pass.
struct CaseContext {
  std::string name;
  torch::Tensor input;       // (C, d, h, w) network input
  torch::Tensor brain;       // (d, h, w) brain_mask(input): where robustness noise goes
  torch::Tensor raw;         // (6, D, H, W) raw image
  torch::Tensor ot;          // (D, H, W) case grid; undefined without OT
  torch::Tensor ot_net;      // (d, h, w) network grid; undefined without OT
  torch::Tensor case_index;  // network → case grid
  std::unique_ptr<RegionPerturbation> perturbation;
  torch::Tensor selection;               // (F, C, d, h, w): the α-grid relevance, when selecting
  torch::Tensor selection_other;         // the same in the other precision
  std::map<int64_t, double> robustness;  // α-grid entry → mean Pearson under input noise
};

// A value that travels between ranks exactly: JSON numbers round-trip doubles, and the
// non-finite ones (which JSON cannot hold) go as text; undefined is null.
nlohmann::json encode_value(std::optional<double> v) {
  if (!v) return nullptr;
  if (std::isfinite(*v)) return *v;
  return std::isnan(*v) ? "nan" : (*v > 0 ? "inf" : "-inf");
}

std::optional<double> decode_value(const nlohmann::json& j) {
  if (j.is_null()) return std::nullopt;
  if (j.is_string()) return std::stod(j.get<std::string>());
  return j.get<double>();
}

using MetricScores = std::map<std::string, std::optional<double>>;

nlohmann::json encode_scores(const std::vector<MetricScores>& scores) {
  nlohmann::json out = nlohmann::json::array();
  for (const MetricScores& m : scores) {
    nlohmann::json entry = nlohmann::json::object();
    for (const auto& [metric, value] : m) entry[metric] = encode_value(value);
    out.push_back(entry);
  }
  return out;
}

std::vector<MetricScores> decode_scores(const nlohmann::json& j) {
  std::vector<MetricScores> out;
  for (const auto& entry : j) {
    MetricScores m;
    for (const auto& [metric, value] : entry.items()) m[metric] = decode_value(value);
    out.push_back(m);
  }
  return out;
}

// The rows, curves and part timings one case added to `r` (from the given offsets).
nlohmann::json case_output(const EvaluationResult& r, size_t first_row, size_t first_curve,
                           const std::map<std::string, double>& seconds_before) {
  nlohmann::json rows = nlohmann::json::array(), curves = nlohmann::json::array();
  for (size_t i = first_row; i < r.rows.size(); ++i) {
    const EvaluationRow& x = r.rows[i];
    rows.push_back({x.case_name, x.model, x.method, x.filter, x.metric, encode_value(x.value)});
  }
  for (size_t i = first_curve; i < r.curves.size(); ++i) {
    const CurveRow& x = r.curves[i];
    nlohmann::json scores = nlohmann::json::array();
    for (double v : x.scores) scores.push_back(encode_value(v));
    curves.push_back({x.case_name, x.model, x.method, x.filter, x.order, scores});
  }
  nlohmann::json seconds = nlohmann::json::object();
  for (const auto& [part, total] : r.seconds_per_part) {
    const auto before = seconds_before.find(part);
    seconds[part] = total - (before == seconds_before.end() ? 0.0 : before->second);
  }
  return {{"rows", rows}, {"curves", curves}, {"seconds", seconds}};
}

void append_case_output(EvaluationResult& r, const nlohmann::json& item) {
  for (const auto& x : item.at("rows")) {
    r.rows.push_back({x[0], x[1], x[2], x[3], x[4], decode_value(x[5])});
  }
  for (const auto& x : item.at("curves")) {
    std::vector<double> scores;
    for (const auto& v : x[5]) scores.push_back(decode_value(v).value_or(0.0));
    r.curves.push_back({x[0], x[1], x[2], x[3], x[4], scores});
  }
  for (const auto& [part, seconds] : item.at("seconds").items())
    r.seconds_per_part[part] += seconds.get<double>();
}

class Evaluation {
 public:
  Evaluation(const EvaluateOptions& options, LoadedModel& model)
      : o_(options),
        net_(model.net),
        score_net_(with_dtype(model.net, torch::kFloat)),
        model_name_(fs::path(options.model_dir).filename().string()) {
    if (model_name_.empty()) model_name_ = fs::path(options.model_dir).parent_path().filename();
    pre_ = preprocess_from_info(model.info, options.model_dir + "/model.json");
    check_attribution_options(options.methods.attribution, pre_.size_dhw);
    check_perturbation_options(options.perturbation, pre_.size_dhw);
  }

  // Evaluates every case this rank owns; afterwards every rank holds every case's rows.
  void run_cases(Progress& progress);
  void select_alpha0(Progress& progress);
  EvaluationResult& result() { return result_; }

 private:
  void add(const std::string& case_name, const std::string& entry, const std::string& metric,
           std::optional<double> value) {
    const auto [method, filter] = method_and_filter(entry);
    result_.rows.push_back({case_name, model_name_, method, filter, metric, value});
  }
  // Localisation and inclusivity of each map of `relevance` (K, C, d, h, w).
  std::vector<std::map<std::string, std::optional<double>>> localisation(
      const CaseContext& c, const torch::Tensor& relevance) const;
  // The baseline methods of o_.methods on input (C, D, H, W) in
  // o_.methods.precision, appended to `e` (relevance converted to e's dtype).
  void append_baselines(UNet& net, const torch::Tensor& input, Explanation& e) const {
    MethodOptions baselines = o_.methods;
    baselines.methods.erase(
        std::remove(baselines.methods.begin(), baselines.methods.end(), Method::Lrp),
        baselines.methods.end());
    if (baselines.methods.empty()) return;
    const Explanation b = explain_methods(net, input.unsqueeze(0), o_.lrp, baselines);
    const auto dtype = e.relevance.defined() ? e.relevance.scalar_type() : torch::kDouble;
    e.relevance = e.relevance.defined() ? torch::cat({e.relevance, b.relevance.to(dtype)})
                                        : b.relevance.to(dtype);
    e.filters.insert(e.filters.end(), b.filters.begin(), b.filters.end());
  }
  // Every explanation of input: LRP with the filters, then the baselines.
  Explanation explain_all(UNet& net, const torch::Tensor& input) const {
    Explanation e;
    if (has_lrp(o_)) {
      UNet run = with_dtype(net, dtype_of(o_.lrp.precision));
      e = on_cpu(explain(run, input.unsqueeze(0), o_.lrp));
    }
    append_baselines(net, input, e);
    return e;
  }

  // Evaluates one case into result_; returns what the α0 search needs of it later.
  std::unique_ptr<CaseContext> run_case(const CaseFiles& files, Progress& progress);
  // f of every case in case order, on every rank: each rank computes the cases it owns.
  std::vector<nlohmann::json> per_case(const std::function<nlohmann::json(CaseContext&)>& f) {
    std::vector<nlohmann::json> items(cases_.size());
    for (size_t i = 0; i < cases_.size(); ++i) {
      if (cases_[i]) items[i] = f(*cases_[i]);
    }
    gather_owned_items(items, o_.group);
    return items;
  }
  // Mean Pearson of α-grid entry f under the constraint's input noise, per case; on a miss it
  // computes `batch` (f and the candidates checked next) in one relevance pass per noisy input.
  double robustness_of(CaseContext& c, int64_t f, const std::vector<int64_t>& batch);

  const EvaluateOptions& o_;
  UNet& net_;
  UNet score_net_;  // float32: a perturbation score needs no float64
  std::string model_name_;
  PreprocessOptions pre_;
  std::vector<std::unique_ptr<CaseContext>> cases_;  // null: another rank's case
  EvaluationResult result_;
  int64_t done_ = 0;  // progress units
};

std::vector<std::map<std::string, std::optional<double>>> Evaluation::localisation(
    const CaseContext& c, const torch::Tensor& relevance) const {
  const auto inclusivity =
      channel_metrics_resized(relevance, c.case_index, c.raw, c.ot, o_.metric_options);
  std::vector<std::map<std::string, std::optional<double>>> out(relevance.size(0));
  for (int64_t k = 0; k < relevance.size(0); ++k) {
    auto& m = out[k];
    const torch::Tensor voxels = voxel_relevance(relevance[k]);
    LocalisationScores net{}, grid{};
    if (c.ot.defined()) {
      net = localisation_scores(voxels, c.ot_net);
      const torch::Tensor at_case =
          voxels.reshape({-1}).index_select(0, c.case_index.reshape({-1})).view(c.ot.sizes());
      grid = localisation_scores(at_case, c.ot);
    }
    m["mass_accuracy"] = net.mass_accuracy;
    m["rank_accuracy"] = net.rank_accuracy;
    m["pointing_game"] = net.pointing_game;
    m["mass_accuracy_case"] = grid.mass_accuracy;
    m["rank_accuracy_case"] = grid.rank_accuracy;
    m["pointing_game_case"] = grid.pointing_game;
    std::vector<std::optional<double>> gt, input;
    for (const ChannelMetrics& ch : inclusivity[k]) {
      gt.push_back(ch.gt_inclusivity);
      input.push_back(ch.input_inclusivity);
    }
    m["gt_inclusivity"] = mean_of_defined(gt);
    m["input_inclusivity"] = mean_of_defined(input);
  }
  return out;
}

std::unique_ptr<CaseContext> Evaluation::run_case(const CaseFiles& files, Progress& progress) {
  int64_t& done = done_;
  auto clock = std::chrono::steady_clock::now();
  auto lap = [&](const std::string& part) {
    const auto now = std::chrono::steady_clock::now();
    result_.seconds_per_part[part] += std::chrono::duration<double>(now - clock).count();
    clock = now;
  };
  const bool stability = has(o_.families, "stability");
  MethodOptions lrp_only = o_.methods;
  lrp_only.methods.clear();
  if (has_lrp(o_)) lrp_only.methods.push_back(Method::Lrp);
  CaseExplanation c = explain_case(net_, files, pre_, o_.lrp, stability && has_lrp(o_), lrp_only);
  append_baselines(net_, c.input, c.explanation);
  const Explanation& e = c.explanation;
  const int64_t count = e.relevance.size(0);
  const std::array<int64_t, 3> net_size{c.input.size(1), c.input.size(2), c.input.size(3)};

  CaseContext context;
  context.name = files.name;
  context.input = c.input;
  context.brain = brain_mask(c.input);
  context.raw = c.volumes.image;
  context.ot = c.volumes.label;
  if (context.ot.defined()) context.ot_net = resize_label(context.ot, net_size);
  context.case_index = c.case_index;
  progress.update(++done, files.name + ": explained");
  lap("explain");

  if (has(o_.families, "localisation")) {
    const auto scores = localisation(context, e.relevance);
    for (int64_t k = 0; k < count; ++k) {
      for (const auto& [metric, value] : scores[k]) add(files.name, e.filters[k], metric, value);
    }
  }
  if (stability && c.check) {
    for (int64_t k = 0; k < static_cast<int64_t>(c.check->agreement.size()); ++k) {
      const RelevanceAgreement& a = c.check->agreement[k];
      add(files.name, e.filters[k], "precision_pearson", a.pearson);
      add(files.name, e.filters[k], "precision_spearman", a.spearman);
      add(files.name, e.filters[k], "precision_max_relative_error", a.max_relative_error);
    }
  }
  if (has(o_.families, "evidence") && !o_.evidence.empty()) {
    for (int64_t k = 0; k < count; ++k) {
      const EvidenceShares s = evidence_shares(e.relevance[k], o_.evidence, context.ot_net);
      add(files.name, e.filters[k], "evidence_abs_share", s.abs_share);
      add(files.name, e.filters[k], "evidence_positive_share", s.positive_share);
      add(files.name, e.filters[k], "evidence_ot_share", s.ot_share);
    }
  }
  lap("localisation, stability, evidence");
  if (has(o_.families, "faithfulness") || o_.select) {
    context.perturbation = std::make_unique<RegionPerturbation>(lesion_score(score_net_, c.input),
                                                                c.input, o_.perturbation);
  }
  if (has(o_.families, "faithfulness")) {
    RegionPerturbation& rp = *context.perturbation;
    const auto curves = rp.morf_lerf(e.relevance);
    for (int64_t k = 0; k < count; ++k) {
      const auto [method, filter] = method_and_filter(e.filters[k]);
      const auto& [morf, lerf] = curves[k];
      auto value = [&](double v) { return rp.defined() ? std::optional<double>(v) : std::nullopt; };
      add(files.name, e.filters[k], "aopc_morf", value(morf.aopc()));
      add(files.name, e.filters[k], "aopc_lerf", value(lerf.aopc()));
      add(files.name, e.filters[k], "abpc", value(morf.aopc() - lerf.aopc()));
      if (rp.defined()) {
        result_.curves.push_back({files.name, model_name_, method, filter, "morf", morf.scores});
        result_.curves.push_back({files.name, model_name_, method, filter, "lerf", lerf.scores});
      }
    }
    double random_sum = 0;
    const auto random = rp.random_curves();
    for (size_t r = 0; r < random.size(); ++r) {
      random_sum += random[r].aopc();
      if (rp.defined()) {
        result_.curves.push_back({files.name, model_name_, "random", "seed " + std::to_string(r),
                                  "random", random[r].scores});
      }
    }
    if (!random.empty()) {
      result_.rows.push_back(
          {files.name, model_name_, "random", "-", "aopc_morf",
           rp.defined() ? std::optional<double>(random_sum / random.size()) : std::nullopt});
    }
    progress.update(++done, files.name + ": perturbed");
    lap("faithfulness");
  }
  if (has(o_.families, "sanity")) {
    UNet randomised = clone_unet(net_);
    for (const std::string& stage : randomisation_stages()) {
      randomise_stage(randomised, stage, o_.randomisation_seed);
      if (!has(o_.randomisation_checkpoints, stage)) continue;
      const Explanation r = explain_all(randomised, c.input);
      const auto points = compare_randomised(stage, e.relevance, r.relevance);
      for (int64_t k = 0; k < count; ++k) {
        add(files.name, e.filters[k], "randomisation_spearman:" + stage, points[k].spearman);
        add(files.name, e.filters[k], "randomisation_ssim:" + stage, points[k].ssim);
      }
    }
    progress.update(++done, files.name + ": randomised");
    lap("sanity");
  }
  if (has(o_.families, "robustness")) {
    const ExplainInput explain_input = [&](const torch::Tensor& x) {
      return explain_all(net_, x).relevance;
    };
    for (double sigma : o_.robustness.sigmas) {
      const auto scores =
          measure_robustness(explain_input, c.input, e.relevance, sigma, o_.robustness,
                             context.ot_net, o_.metric_options.relevance_threshold);
      const std::string tag = ":" + csv_number(sigma);
      for (int64_t k = 0; k < count; ++k) {
        const RobustnessScores& s = scores[k];
        add(files.name, e.filters[k], "robustness_max_sensitivity" + tag, s.max_sensitivity);
        add(files.name, e.filters[k], "robustness_pearson" + tag, s.mean_pearson);
        add(files.name, e.filters[k], "robustness_spearman" + tag, s.mean_spearman);
        add(files.name, e.filters[k], "robustness_inclusivity_change" + tag, s.inclusivity_change);
      }
    }
    progress.update(++done, files.name + ": robustness");
    lap("robustness");
  }
  if (o_.select) {
    LrpOptions lrp = o_.lrp;
    lrp.filters.clear();
    for (const char* family : {"pass", "clamp"}) {
      for (double a : o_.selection.grid)
        lrp.filters.push_back(family[0] == 'p' ? Filter::pass(0, a) : Filter::clamp(0, a));
    }
    lrp.filters.push_back(Filter::raw());
    if (lrp.max_batch == 0) lrp.max_batch = 16;
    UNet run = with_dtype(net_, dtype_of(lrp.precision));
    context.selection = explain(run, c.input.unsqueeze(0), lrp).relevance.cpu();
    LrpOptions other = lrp;
    other.precision = other_precision(lrp.precision);
    UNet other_net = with_dtype(net_, dtype_of(other.precision));
    context.selection_other = explain(other_net, c.input.unsqueeze(0), other).relevance.cpu();
    progress.update(++done, files.name + ": alpha grid");
    lap("select");
  }
  return std::make_unique<CaseContext>(std::move(context));
}

void Evaluation::run_cases(Progress& progress) {
  std::vector<nlohmann::json> outputs(o_.cases.size());
  cases_.resize(o_.cases.size());
  for (size_t i = 0; i < o_.cases.size(); ++i) {
    if (!owns_item(o_.group, i)) continue;
    const size_t first_row = result_.rows.size(), first_curve = result_.curves.size();
    const auto seconds_before = result_.seconds_per_part;
    cases_[i] = run_case(o_.cases[i], progress);
    if (o_.group) outputs[i] = case_output(result_, first_row, first_curve, seconds_before);
  }
  if (!o_.group) return;
  gather_owned_items(outputs, o_.group);
  result_.rows.clear();
  result_.curves.clear();
  result_.seconds_per_part.clear();
  for (const nlohmann::json& item : outputs) append_case_output(result_, item);
}

double Evaluation::robustness_of(CaseContext& c, int64_t f, const std::vector<int64_t>& batch) {
  if (!batch.empty()) {
    const size_t g = o_.selection.grid.size();
    LrpOptions lrp = o_.lrp;
    lrp.filters.clear();
    for (int64_t b : batch) {
      const double a = o_.selection.grid[static_cast<size_t>(b) % g];
      lrp.filters.push_back(static_cast<size_t>(b) < g ? Filter::pass(0, a) : Filter::clamp(0, a));
    }
    if (lrp.max_batch == 0) lrp.max_batch = 16;
    UNet run = with_dtype(net_, dtype_of(lrp.precision));
    std::vector<std::vector<torch::Tensor>> noisy(batch.size());
    for (int s = 0; s < o_.selection.robustness_samples; ++s) {
      const torch::Tensor n = noisy_input(c.input, c.brain, o_.selection.criterion.robustness_sigma,
                                          o_.robustness.seed, s);
      const torch::Tensor r = explain(run, n.unsqueeze(0), lrp).relevance.cpu();
      for (size_t k = 0; k < batch.size(); ++k) noisy[k].push_back(r[static_cast<int64_t>(k)]);
    }
    for (size_t k = 0; k < batch.size(); ++k) {
      c.robustness[batch[k]] =
          robustness_scores(c.selection[batch[k]], noisy[k], torch::Tensor()).mean_pearson;
    }
  }
  return c.robustness.at(f);
}

void Evaluation::select_alpha0(Progress& progress) {
  const std::vector<double>& grid = o_.selection.grid;
  const AlphaCriterion& criterion = o_.selection.criterion;
  const size_t g = grid.size(), raw = 2 * g;
  // Every localisation metric of every α, per case: the objective and the curves.
  std::vector<std::vector<MetricScores>> scores;
  for (const nlohmann::json& item :
       per_case([&](CaseContext& c) { return encode_scores(localisation(c, c.selection)); })) {
    scores.push_back(decode_scores(item));
  }
  auto mean_over_cases = [&](size_t f, const std::string& metric) {
    std::vector<std::optional<double>> values;
    for (const auto& s : scores) values.push_back(s[f].at(metric));
    return mean_of_defined(values);
  };
  // The mean over cases of one value per case (undefined ones left out).
  auto mean_of_cases = [&](const std::function<std::optional<double>(CaseContext&)>& f) {
    std::vector<std::optional<double>> values;
    for (const nlohmann::json& item :
         per_case([&](CaseContext& c) { return nlohmann::json::array({encode_value(f(c))}); })) {
      if (const auto v = decode_value(item[0])) values.push_back(v);
    }
    return mean_of_defined(values);
  };
  auto abpc_of = [](CaseContext& c, const torch::Tensor& relevance) -> std::optional<double> {
    const auto curves = c.perturbation->morf_lerf(relevance.unsqueeze(0));
    if (!c.perturbation->defined()) return std::nullopt;
    return curves[0].first.aopc() - curves[0].second.aopc();
  };
  for (size_t family = 0; family < 2; ++family) {
    for (size_t i = 0; i < g; ++i) {
      for (const auto& [metric, value] : scores.front()[family * g + i]) {
        (void)value;
        result_.alpha_curves.push_back({family == 0 ? "pass" : "clamp", grid[i], metric,
                                        mean_over_cases(family * g + i, metric)});
      }
    }
  }

  // ABPC of raw LRP, the reference of the faithfulness constraint.
  std::vector<std::optional<double>> raw_abpc;
  for (const EvaluationRow& r : result_.rows) {
    if (r.method == "lrp" && r.filter == "raw" && r.metric == "abpc") raw_abpc.push_back(r.value);
  }
  const std::optional<double> reference =
      raw_abpc.empty() ? mean_of_cases([&](CaseContext& c) { return abpc_of(c, c.selection[raw]); })
                       : mean_of_defined(raw_abpc);

  // float32/float64 agreement of every candidate, per case (cheap: both maps exist).
  std::vector<std::vector<double>> precision_per_case;
  for (const nlohmann::json& item : per_case([&](CaseContext& c) {
         nlohmann::json values = nlohmann::json::array();
         for (int64_t f = 0; f < static_cast<int64_t>(raw); ++f)
           values.push_back(
               encode_value(pearson_correlation(c.selection_other[f], c.selection[f])));
         return values;
       })) {
    std::vector<double> values;
    for (const auto& v : item) values.push_back(*decode_value(v));
    precision_per_case.push_back(values);
  }
  auto precision_of = [&](size_t f) {
    std::vector<std::optional<double>> values;
    for (const auto& c : precision_per_case) values.push_back(c[f]);
    return *mean_of_defined(values);
  };
  const int64_t batch_size = o_.lrp.max_batch > 0 ? o_.lrp.max_batch : 16;
  std::set<int64_t> robustness_known;  // α-grid entries whose robustness every case holds

  for (size_t family = 0; family < 2; ++family) {
    const std::string name = family == 0 ? "pass" : "clamp";
    std::vector<std::optional<double>> objective;
    for (size_t i = 0; i < g; ++i)
      objective.push_back(mean_over_cases(family * g + i, criterion.objective));
    // The candidates that can reach the robustness check, in the order they are checked:
    // a miss computes the next batch_size of them at once (one trace per noisy input).
    std::vector<int64_t> queue;
    for (size_t i : check_order(grid, objective)) {
      // The negation of the check's rejection below, so that NaN takes the same branch.
      if (!(precision_of(family * g + i) < criterion.min_precision_correlation))
        queue.push_back(static_cast<int64_t>(family * g + i));
    }
    // Cheapest constraint first (the other-precision maps are precomputed),
    // then robustness, then ABPC; a candidate stops at its first failure.
    auto check = [&](size_t i, std::map<std::string, double>& measured) {
      const auto f = static_cast<int64_t>(family * g + i);
      auto report = [&](const std::string& why) {
        progress.update(done_, name + " alpha " + csv_number(grid[i]) +
                                   (why.empty() ? ": alpha0" : ": rejected"));
        return why;
      };
      measured["precision_pearson"] = precision_of(static_cast<size_t>(f));
      if (measured["precision_pearson"] < criterion.min_precision_correlation)
        return report("float32/float64 correlation below the minimum");

      std::vector<int64_t> batch;
      if (!robustness_known.count(f)) {
        batch.push_back(f);
        auto at = std::find(queue.begin(), queue.end(), f);
        if (at != queue.end()) ++at;
        for (; at != queue.end() && static_cast<int64_t>(batch.size()) < batch_size; ++at) {
          if (!robustness_known.count(*at)) batch.push_back(*at);
        }
        robustness_known.insert(batch.begin(), batch.end());
      }
      measured["robustness_pearson"] =
          *mean_of_cases([&](CaseContext& c) { return robustness_of(c, f, batch); });
      if (measured["robustness_pearson"] < criterion.min_robustness_correlation)
        return report("robustness correlation below the minimum");

      const auto mean_abpc =
          mean_of_cases([&](CaseContext& c) { return abpc_of(c, c.selection[f]); });
      if (!reference || !mean_abpc) return report("ABPC undefined (no lesion predicted)");
      measured["abpc"] = *mean_abpc;
      measured["abpc_floor"] = *reference - criterion.abpc_tolerance * std::abs(*reference);
      if (*mean_abpc < measured["abpc_floor"])
        return report("ABPC below raw's by more than the tolerance");
      return report("");
    };
    result_.alpha0.push_back(lrpseg::select_alpha0(name, grid, objective, check));
  }
}

void write_evaluation_files(const EvaluateOptions& o, EvaluationResult& result) {
  fs::create_directories(o.out_dir);
  auto write = [&](const std::string& name, const std::string& text) {
    write_text_atomically((fs::path(o.out_dir) / name).string(), text);
    result.files.push_back(name);
  };
  write("evaluation.csv", evaluation_csv(result.rows));
  write("evaluation_summary.csv", evaluation_summary_csv(result.summary));
  write("evaluation_summary.md", evaluation_summary_markdown(result.summary));
  if (!result.curves.empty()) {
    std::string text =
        csv_line({"case", "model", "method", "filter", "order", "step", "fraction", "score"});
    for (const CurveRow& r : result.curves) {
      for (size_t k = 0; k < r.scores.size(); ++k) {
        text += csv_line({r.case_name, r.model, r.method, r.filter, r.order, std::to_string(k),
                          csv_number(result.perturbed_fractions[k]), csv_number(r.scores[k])});
      }
    }
    write("perturbation_curves.csv", text);
  }
  if (!result.alpha0.empty()) {
    nlohmann::json families = nlohmann::json::array();
    for (const AlphaChoice& choice : result.alpha0)
      families.push_back(to_json(choice, o.selection.criterion));
    write("alpha0.json", nlohmann::json{{"families", families}}.dump(2) + "\n");
    std::string text = csv_line({"family", "alpha", "metric", "mean"});
    for (const AlphaCurvePoint& p : result.alpha_curves)
      text += csv_line({p.family, csv_number(p.alpha), p.metric, csv_number(p.mean)});
    write("alpha_curves.csv", text);
  }
}

}  // namespace

EvaluationResult evaluate(const EvaluateOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  check_evaluate_options(o);
  configure_threads(o.threads);
  LoadedModel model = load_checkpoint(o.model_dir);
  model.net->to(o.lrp.device);
  Evaluation evaluation(o, model);

  int64_t per_case = 1;
  for (const char* f : {"faithfulness", "sanity", "robustness"}) per_case += has(o.families, f);
  per_case += o.select;
  int64_t owned = 0;
  for (size_t i = 0; i < o.cases.size(); ++i) owned += owns_item(o.group, i);
  const bool writer = !o.group || o.group->rank() == 0;
  Progress progress("evaluate", owned * per_case, o.quiet || !writer);  // rank 0 speaks
  evaluation.run_cases(progress);
  if (o.select) {
    const auto t_select = std::chrono::steady_clock::now();
    evaluation.select_alpha0(progress);
    evaluation.result().seconds_per_part["select"] +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_select).count();
  }
  progress.finish();

  EvaluationResult result = std::move(evaluation.result());
  result.summary = summarise(result.rows);
  for (int k = 0; k <= o.perturbation.steps; ++k)
    result.perturbed_fractions.push_back(o.perturbation.fraction * k / o.perturbation.steps);
  if (writer) write_evaluation_files(o, result);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace lrpseg
