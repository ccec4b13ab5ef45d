#include "study/pipeline.h"

#include <algorithm>

#include "data/synth.h"
#include "distributed/process_group.h"
#include "infer/segment.h"
#include "io/nnunet.h"
#include "model/checkpoint.h"
#include "report/html_report.h"
#include "study/evaluation_run.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/progress.h"

namespace lrpseg {

namespace fs = std::filesystem;
using nlohmann::json;

void ExplanationStore::want(const std::string& model, const std::string& case_name,
                            const std::vector<Filter>& filters) {
  auto& names = kept_[{model, case_name}].filters;
  for (const auto& f : filters) {
    const std::string name = to_string(f);
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
}

void ExplanationStore::keep(const std::string& model, const CaseExplanation& c) {
  auto it = kept_.find({model, c.volumes.name});
  if (it != kept_.end()) it->second.explanation = select_filters(c, it->second.filters);
}

CaseExplanation ExplanationStore::get(const ModelRun& model, const CaseFiles& files,
                                      const LrpOptions& lrp, const std::string& run_dir) {
  std::vector<std::string> names;
  for (const auto& f : lrp.filters) names.push_back(to_string(f));
  auto it = kept_.find({model.name, files.name});
  if (it != kept_.end() && it->second.explanation) {
    if (auto selected = select_filters(*it->second.explanation, names)) return *selected;
  }
  ++explained_again_;
  const std::string dir = (fs::path(run_dir) / model.dir).string();
  LoadedModel loaded = load_checkpoint(dir);
  loaded.net->to(lrp.device);
  const PreprocessOptions pre = preprocess_from_info(loaded.info, dir + "/model.json");
  return explain_case(loaded.net, files, pre, lrp);
}

Run make_run(const std::string& kind, const ExperimentConfig& c) {
  if (c.out_dir.empty())
    throw Error(kind + ": no output directory (--out or \"out\" in the config)");
  Run run;
  run.kind = kind;
  run.config = c;
  run.dir = c.out_dir;
  run.sweep_options.lrp.filters = parse_filters(c.filters);
  run.sweep_options.lrp.precision = parse_precision(c.precision);
  run.sweep_options.lrp.composite = c.composite;
  run.sweep_options.check_precision = c.check_precision;
  run.sweep_options.lrp.max_memory_bytes =
      static_cast<int64_t>(c.max_memory_gb * double(int64_t{1} << 30));
  if (c.robustness_sigma) {
    RobustnessOptions r;
    r.sigmas = {*c.robustness_sigma};
    r.samples = c.robustness_samples;
    run.sweep_options.robustness = r;
  }
  run.sweep_options.threads = c.threads;
  run.sweep_options.lrp.device = c.device;
  run.sweep_options.quiet = c.quiet;
  run.sweep_options.group = c.group;
  return run;
}

namespace {

bool writes_run(const Run& run) {
  return run.config.group == nullptr || run.config.group->rank() == 0;
}

std::vector<int> numbers(const std::string& list) {
  return list.empty() ? std::vector<int>{} : parse_case_list(list);
}

void synthesize(const ExperimentConfig& c, const std::string& data) {
  Progress progress("synth", *c.synthesize_cases, c.quiet);
  SynthOptions synth{data, *c.synthesize_cases, 0, c.synthesize_seed};
  if (!c.synthesize_evidence.empty())
    synth.evidence = parse_evidence_modalities(c.synthesize_evidence);
  synthesize_isles(synth, [&](int done, int) { progress.update(done); });
  progress.finish();
}

}  // namespace

void prepare_data(Run& run) {
  const ExperimentConfig& c = run.config;
  fs::create_directories(run.dir);
  run.data_dir = c.data_dir;
  if (c.synthesize_cases) {
    // Synthesised into a staging folder and renamed into place when complete, so
    // a run killed mid-synthesis resumes with all cases, not with the few it wrote.
    const fs::path data = run.dir / "data", staging = run.dir / ".data.staging";
    run.data_dir = data.string();
    if (!fs::exists(data) && writes_run(run)) {
      fs::remove_all(staging);
      synthesize(c, staging.string());
      fs::rename(staging, data);
      sync_folder(run.dir.string());
    }
  }
  if (c.group) c.group->barrier();  // rank 0's data is in place
  run.dataset = discover_dataset(run.data_dir);
  const std::string dice_list = !c.dice_cases.empty() ? c.dice_cases : c.val_cases;
  run.dice_cases = dice_list.empty()
                       ? cases_of(run.dataset, Split::Training)
                       : select_cases(run.dataset, numbers(dice_list), Split::Training);
  run.sweep_cases = c.sweep_cases.empty()
                        ? run.dice_cases
                        : select_cases(run.dataset, numbers(c.sweep_cases), Split::Training);
  run.evaluate_cases = c.evaluate_cases.empty()
                           ? run.sweep_cases
                           : select_cases(run.dataset, numbers(c.evaluate_cases), Split::Training);
  run.figure_cases = c.figure_cases.empty()
                         ? std::vector<CaseFiles>{run.sweep_cases.front()}
                         : select_cases(run.dataset, c.figure_cases, Split::Training);
}

void train_models(Run& run) {
  const ExperimentConfig& c = run.config;
  std::vector<json> trained;
  for (const auto& s : c.series) {
    for (int i = 1; i <= s.count; ++i) {
      if (!owns_item(c.group, trained.size())) {
        trained.emplace_back();
        continue;
      }
      TrainOptions t;
      t.data_dir = run.data_dir;
      t.preprocess.size_dhw = s.size_dhw;
      t.width = s.width;
      t.epochs = s.epochs;
      t.seed = s.seed + static_cast<uint64_t>(i - 1);
      t.cases = numbers(c.train_cases);
      t.val_cases = numbers(c.val_cases);
      t.threads = c.threads;
      t.device = c.device;
      t.quiet = c.quiet;
      trained.push_back(train_and_evaluate(t, run.dice_cases, run.dir.string(),
                                           s.name + std::to_string(i), s.name)
                            .to_json());
    }
  }
  gather_owned_items(trained, c.group);  // whole networks per rank
  for (const json& m : trained) run.models.push_back(ModelRun::from_json(m));
}

void sweep_models(Run& run) {
  // What Figure 1 and the viewer will show, so the sweep keeps it.
  const auto figure = figure1_filters(run.config.figure_pass, run.config.figure_clamp);
  for (const auto& m : run.models)
    for (const auto& f : run.figure_cases) run.explanations.want(m.name, f.name, figure);
  for (size_t i = 0; i < run.sweep_cases.size() && static_cast<int>(i) < run.config.viewer_cases;
       ++i) {
    if (!run.models.empty())
      run.explanations.want(run.models.front().name, run.sweep_cases[i].name,
                            run.sweep_options.lrp.filters);
  }
  auto keep = [&run](const ModelRun& m, const CaseExplanation& c) {
    run.explanations.keep(m.name, c);
  };
  run.sweep =
      sweep_step(run.models, run.sweep_cases, run.sweep_options, run.dir.string(), &run.rows, keep);
}

void evaluate_models(Run& run) {
  if (!run.config.evaluate) return;
  const ExperimentConfig& c = run.config;
  std::vector<json> entries(run.models.size());
  for (size_t i = 0; i < run.models.size(); ++i) {
    if (!owns_item(c.group, i)) continue;
    const ModelRun& m = run.models[i];
    EvaluateOptions o = evaluate_options_from_json(*c.evaluate, "config: evaluate");
    const std::vector<Filter> filters = o.lrp.filters;
    o.lrp = run.sweep_options.lrp;  // the run's rules, target and precision
    o.lrp.filters = filters;
    o.model_dir = (run.dir / m.dir).string();
    o.out_dir = (run.dir / "evaluation" / m.name).string();
    o.cases = run.evaluate_cases;
    if (o.evidence.empty() && !c.synthesize_evidence.empty()) {
      // Synthesised with known evidence: measure it.
      o.evidence = evidence_channels(parse_evidence_modalities(c.synthesize_evidence));
    }
    o.threads = c.threads;
    o.quiet = c.quiet;
    const EvaluationResult r = run_evaluation(o);
    const std::string dir = "evaluation/" + m.name + "/";
    json entry = {{"model", m.name}, {"dir", dir}, {"seconds", r.seconds}};
    json figures = json::array();
    for (const std::string& f : r.files) {
      if (f == "evaluation_summary.csv") entry["summary_csv"] = dir + f;
      if (f == "evaluation.csv") entry["csv"] = dir + f;
      if (f == "alpha0.json") entry["alpha0_json"] = dir + f;
      if (f.size() > 4 && f.compare(f.size() - 4, 4, ".png") == 0)
        figures.push_back({{"title", evaluation_figure_title(f)}, {"file", dir + f}});
    }
    entry["figures"] = figures;
    entries[i] = entry;
  }
  gather_owned_items(entries, c.group);  // whole models per rank
  for (json& entry : entries) run.evaluation.push_back(std::move(entry));
}

void plot_training(Run& run) {
  run.figures.push_back(training_curves_step(run.models, run.dir.string()));
}

void draw_figure1(Run& run) {
  const ExperimentConfig& c = run.config;
  LrpOptions lrp = run.sweep_options.lrp;
  lrp.filters = figure1_filters(c.figure_pass, c.figure_clamp);
  for (const auto& m : run.models) {
    for (const auto& f : run.figure_cases) {
      const CaseExplanation e = run.explanations.get(m, f, lrp, run.dir.string());
      run.figures.push_back(figure1_step(m, e, c.figure_modality, c.figure_pass, c.figure_clamp,
                                         c.display, run.dir.string()));
    }
  }
}

void write_viewer(Run& run) {
  if (run.models.empty()) return;
  for (int i = 0; i < run.config.viewer_cases && i < static_cast<int>(run.sweep_cases.size());
       ++i) {
    const CaseFiles& files = run.sweep_cases[static_cast<size_t>(i)];
    const CaseExplanation e =
        run.explanations.get(run.models.front(), files, run.sweep_options.lrp, run.dir.string());
    run.viewer.push_back(viewer_step(run.models.front(), e, run.config.display, run.dir.string()));
  }
}

void write_run_manifest(Run& run) {
  json models = json::array();
  for (const auto& m : run.models) models.push_back(m.to_json());
  json manifest = {{"kind", run.kind},
                   {"title", run.config.title},
                   {"created", utc_now()},
                   {"config", run.config.raw},
                   {"models", models}};
  if (!run.figures.empty()) manifest["figures"] = run.figures;
  if (!run.sweep.is_null()) manifest["sweep"] = run.sweep;
  if (!run.viewer.empty()) manifest["viewer"] = run.viewer;
  if (!run.evaluation.empty()) manifest["evaluation"] = run.evaluation;
  write_manifest(run.dir.string(), manifest);
}

void write_run_report(Run& run) { run.report = write_report(run.dir.string()); }

std::vector<Step> experiment_steps() {
  return {prepare_data, train_models, sweep_models,       evaluate_models, plot_training,
          draw_figure1, write_viewer, write_run_manifest, write_run_report};
}

void run_steps(Run& run, const std::vector<Step>& steps) {
  for (const auto& step : steps) step(run);
}

std::vector<Step> experiment_steps_of_rank(int rank) {
  if (rank == 0) return experiment_steps();
  return {prepare_data, train_models, sweep_models, evaluate_models};
}

}  // namespace lrpseg
