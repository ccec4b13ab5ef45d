#include <iostream>
#include <memory>

#include "analysis/explain_run.h"
#include "cli/commands.h"
#include "cli/config_file.h"
#include "cli/options.h"
#include "lrp/filters.h"
#include "util/error.h"
#include "util/folder_lock.h"

namespace lrpseg::cli {

void add_explain(CLI::App& app) {
  auto* cmd = app.add_subcommand("explain", "Relevance heatmaps (LRP) of a checkpoint on cases");
  add_config_option(cmd);
  auto o = std::make_shared<ExplainOptions>();
  auto filters = std::make_shared<std::string>("raw");
  auto merge = std::make_shared<std::string>("sum");
  auto target = std::make_shared<std::string>("all");
  cmd->add_option("--model", o->model_dir, "Checkpoint directory")->required();
  auto cases = add_case_options(cmd, /*images=*/true);
  cmd->add_option("--out", o->out_dir, "Output directory")->required();
  cmd->add_option("--filters", *filters,
                  "Comma-separated filters: raw, pass:a1-a2, clamp:a1-a2 (pass:0.2 = pass:0-0.2), "
                  "or 'paper' for the paper's 16 settings; all run as one batch");
  cmd->add_option("--merge", *merge,
                  "Relevance merge at forks: sum, or paper:f (f·skip + (1−f)·pool)");
  cmd->add_option("--target", *target, "Start relevance")
      ->check(CLI::IsMember({"all", "lesion", "lesion-mask"}));
  auto check_lrp = add_lrp_options(cmd, o->lrp);
  auto check_methods = add_method_options(cmd, o->methods);
  cmd->add_flag("--check-precision", o->check_precision,
                "Also explain in the other precision; summary.json gets correlations, max "
                "relative error and near-zero denominators per layer");
  auto check_robustness = add_robustness_options(cmd, o->robustness);
  cmd->add_flag("--fold-bn", o->lrp.fold_bn, "Fold BatchNorm into the preceding convolution");
  cmd->add_flag("--native", o->native, "Also write network-size relevance and input");
  add_threads_option(cmd, o->threads);
  add_device_option(cmd, o->lrp.device);
  auto nproc = std::make_shared<int>(1);
  add_nproc_option(cmd, *nproc, "the cases");
  cmd->add_flag("--quiet", o->quiet, "No progress output");
  cmd->callback([=] {
    check_lrp();
    check_methods();
    check_robustness();
    o->lrp.filters = parse_filters(*filters);
    parse_merge(*merge, o->lrp.merge, o->lrp.merge_skip_fraction);
    o->lrp.target = parse_target(*target);
    o->cases = cases();
    JobRole job = start_or_join_job(*nproc, o->threads);
    if (job.launched) return;
    o->group = job.group.get();
    const auto lock = lock_job_output(job, o->out_dir, "explain");  // every rank writes cases
    auto summaries = explain_cases(*o);
    if (job.rank != 0) return;
    for (const auto& s : summaries) {
      std::cout << s["case"].get<std::string>();
      if (!s["dice"].is_null()) std::cout << "  Dice " << s["dice"].get<double>();
      std::cout << "  " << s["filters"].size() << " filter(s) in " << s["seconds_lrp"].get<double>()
                << " s\n";
    }
    std::cout << "wrote " << o->out_dir << "\n";
  });
}

}  // namespace lrpseg::cli
