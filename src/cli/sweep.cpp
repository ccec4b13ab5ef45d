#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/config_file.h"
#include "cli/options.h"
#include "infer/segment.h"
#include "lrp/filters.h"
#include "model/checkpoint.h"
#include "study/pipeline.h"
#include "util/error.h"
#include "util/folder_lock.h"
#include "util/threads.h"

namespace lrpseg::cli {

namespace fs = std::filesystem;

void add_sweep(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "sweep", "Filter sweep over cases and models: inclusivity, signal, tables, figures, report");
  add_config_option(cmd);
  struct Options {
    std::vector<std::string> models, series;
    std::string data, cases, split, filters = "paper", out;
    SweepStep step;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("--model", o->models, "Checkpoint directory (repeat for several)")->required();
  cmd->add_option("--series", o->series,
                  "Series label per model (default: by input size, A 19x48x48, B 19x96x96, "
                  "C 19x144x144, X 19x192x192)");
  cmd->add_option("--data", o->data, "Dataset directory (ISLES 2017 or nnU-Net raw layout)")
      ->required();
  auto layout = std::make_shared<std::string>("auto");
  add_layout_option(cmd, *layout);
  auto nan_to_num = std::make_shared<bool>(false);
  add_nan_to_num_flag(cmd, *nan_to_num);
  cmd->add_option("--cases", o->cases, "Case numbers, e.g. 1,2,4,7 (default: all)");
  cmd->add_option("--split", o->split, "Cases of this split")
      ->check(CLI::IsMember({"training", "test", "all"}));
  cmd->add_option("--filters", o->filters, "Filters, or 'paper' for the paper's 16 settings");
  cmd->add_option("--out", o->out, "Run directory")->required();
  cmd->add_option("--relevance-threshold", o->step.metrics.relevance_threshold,
                  "Binarise |R_c| / max|R_c| above this for the inclusivity coefficients");
  cmd->add_option("--input-threshold", o->step.metrics.input_threshold,
                  "Binarise |x_c| / max|x_c| above this for the input inclusivity");
  cmd->add_option("--smoothing", o->step.metrics.smoothing,
                  "Smoothing constant s of D(a, b) = |a ∩ b| / (|b| + s)");
  cmd->add_flag(
      "--per-channel-signal", o->step.metrics.per_channel_signal_max,
      "Normalise the mean signal by each channel's max|R_c| instead of the global max|R|");
  cmd->add_flag("--save-relevance", o->step.save_relevance,
                "Also write every case's relevance NIfTIs under OUT/sweep/relevance/");
  auto check_lrp = add_lrp_options(cmd, o->step.lrp);
  auto check_methods = add_method_options(cmd, o->step.methods);
  cmd->add_flag("--check-precision", o->step.check_precision,
                "Also explain in the other precision: sweep.csv gets the metric in that "
                "precision and the correlations, the summary a stability column");
  auto check_robustness = add_robustness_options(cmd, o->step.robustness);
  add_threads_option(cmd, o->step.threads);
  add_device_option(cmd, o->step.lrp.device);
  auto nproc = std::make_shared<int>(1);
  add_nproc_option(cmd, *nproc, "the (model, case) pairs");
  cmd->add_flag("--quiet", o->step.quiet, "No progress output");
  cmd->callback([o, check_lrp, check_methods, check_robustness, layout, nan_to_num, nproc] {
    check_lrp();
    check_methods();
    check_robustness();
    JobRole job = start_or_join_job(*nproc, o->step.threads);
    if (job.launched) return;
    configure_threads(o->step.threads);
    if (!o->series.empty() && o->series.size() != 1 && o->series.size() != o->models.size()) {
      throw UsageError("--series: give one label, or one per --model");
    }
    o->step.lrp.filters = parse_filters(o->filters);
    const LrpOptions& lrp = o->step.lrp;
    auto cases =
        choose_cases(discover_dataset(o->data, parse_dataset_layout(*layout)), o->cases, o->split);
    for (CaseFiles& c : cases) c.non_finite = *nan_to_num ? NonFinite::ToZero : NonFinite::Refuse;
    std::vector<ModelRun> models;
    for (size_t i = 0; i < o->models.size(); ++i) {
      const std::string dir = fs::absolute(o->models[i]).lexically_normal().string();
      auto info = read_model_info(dir);
      ModelRun m;
      m.dir = dir;
      m.name = fs::path(dir).filename().string();
      m.series = o->series.empty() ? series_for_size(preprocess_from_info(info, dir).size_dhw)
                                   : o->series[o->series.size() == 1 ? 0 : i];
      models.push_back(m);
    }
    // The pipeline's sweep, manifest and report steps on models trained elsewhere.
    Run run;
    run.kind = "sweep";
    run.dir = o->out;
    run.config.title = "lrpseg filter sweep";
    run.config.raw = {{"data", o->data}, {"cases", o->cases}, {"lrp", describe(lrp)}};
    run.config.viewer_cases = 0;
    run.sweep_options = o->step;
    run.sweep_options.group = job.group.get();
    run.sweep_cases = cases;
    run.models = models;
    // Every rank explains its share of the pairs; rank 0 writes the run.
    const auto lock = lock_job_output(job, run.dir, "sweep");
    if (job.rank != 0) {
      run_steps(run, {sweep_models});
      return;
    }
    run_steps(run, {sweep_models, write_run_manifest, write_run_report});
    for (const auto& line : best_filters(summarise(run.rows)))
      std::cout << "best filter: " << line << "\n";
    std::cout << "report: " << run.report << "\n";
  });
}

}  // namespace lrpseg::cli
