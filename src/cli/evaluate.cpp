#include <algorithm>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/config_file.h"
#include "cli/options.h"
#include "data/preprocess.h"
#include "data/synth.h"
#include "study/evaluation_run.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/text.h"

namespace lrpseg::cli {

void add_evaluate(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "evaluate",
      "Measure explanations: localisation, faithfulness, sanity, known evidence, stability, "
      "robustness; with --select the sweet spot alpha0 of the pass and clamp filters");
  add_config_option(cmd);
  auto o = std::make_shared<EvaluateOptions>();
  auto filters = std::make_shared<std::string>("paper");
  auto target = std::make_shared<std::string>("all");
  auto families = std::make_shared<std::string>("all");
  auto perturb = std::make_shared<std::string>("zero");
  auto patch = std::make_shared<std::string>("1x4x4");
  auto evidence = std::make_shared<std::string>();
  auto sigmas = std::make_shared<std::string>("0.01");
  auto grid = std::make_shared<std::string>("24:0.005-1");
  auto stages = std::make_shared<std::string>("all");
  cmd->add_option("--model", o->model_dir, "Checkpoint directory")->required();
  auto cases = add_case_options(cmd, /*images=*/true);
  cmd->add_option("--out", o->out_dir, "Output directory")->required();
  cmd->add_option("--filters", *filters, "LRP filters evaluated (default: paper, 16 settings)");
  cmd->add_option("--target", *target, "Start relevance")
      ->check(CLI::IsMember({"all", "lesion", "lesion-mask"}));
  auto check_lrp = add_lrp_options(cmd, o->lrp);
  auto check_methods = add_method_options(cmd, o->methods, "lrp,gradient-x-input");
  cmd->add_option("--metrics", *families,
                  "Metric families: all, or a list of localisation, faithfulness, sanity, "
                  "evidence, stability, robustness");
  cmd->add_option("--perturb", *perturb, "Region perturbation: what replaces a patch")
      ->check(CLI::IsMember({"zero", "blur", "noise"}));
  cmd->add_option("--perturb-patch", *patch, "Perturbed patch DxHxW (all channels)");
  cmd->add_option("--perturb-steps", o->perturbation.steps, "Perturbation steps");
  cmd->add_option("--perturb-fraction", o->perturbation.fraction,
                  "Share of the brain's patches perturbed at the last step");
  cmd->add_option("--random-orders", o->perturbation.random_orders,
                  "Random-order reference curves (seeds)");
  cmd->add_option("--randomisation-stages", *stages,
                  "Stages after which the cascading randomisation re-explains (all, or a list "
                  "of head, b7, up3, b6, up2, b5, up1, b4, b3, b2, b1)");
  cmd->add_option("--evidence", *evidence,
                  "Modalities that carry the lesion by construction (synth --evidence); "
                  "enables the known-evidence metrics");
  cmd->add_option("--robustness-sigma", *sigmas,
                  "Relative input noise sizes, comma-separated (e.g. 1e-4,1e-2)");
  cmd->add_option("--robustness-samples", o->robustness.samples, "Noisy inputs per sigma");
  cmd->add_option("--seed", o->robustness.seed, "Seed of the noise and the randomisation");
  cmd->add_flag("--select", o->select, "Choose alpha0 per filter family (writes alpha0.json)");
  cmd->add_option("--alpha-grid", *grid,
                  "Alpha values of --select: COUNT:LOW-HIGH (log-spaced) or a list");
  cmd->add_option("--objective", o->selection.criterion.objective,
                  "Metric alpha0 maximises (_case: on the case grid)")
      ->check(CLI::IsMember(alpha_objectives()));
  cmd->add_option("--abpc-tolerance", o->selection.criterion.abpc_tolerance,
                  "alpha0's ABPC may fall below raw LRP's by at most this share");
  cmd->add_option("--min-precision-correlation", o->selection.criterion.min_precision_correlation,
                  "alpha0's float32/float64 correlation must reach this");
  cmd->add_option("--min-robustness-correlation", o->selection.criterion.min_robustness_correlation,
                  "alpha0's correlation under input noise must reach this");
  cmd->add_option("--select-robustness-sigma", o->selection.criterion.robustness_sigma,
                  "The input noise of that constraint");
  cmd->add_option("--select-robustness-samples", o->selection.robustness_samples,
                  "Noisy inputs per case for that constraint");
  add_threads_option(cmd, o->threads);
  add_device_option(cmd, o->lrp.device);
  auto nproc = std::make_shared<int>(1);
  add_nproc_option(cmd, *nproc, "the cases");
  cmd->add_flag("--quiet", o->quiet, "No progress output");
  cmd->callback([=] {
    check_lrp();
    check_methods();
    o->lrp.filters = parse_filters(*filters);
    o->lrp.target = parse_target(*target);
    o->families = parse_evaluation_families(*families);
    o->perturbation.mode = parse_perturbation_mode(*perturb);
    o->perturbation.patch = parse_size_dhw(*patch, "--perturb-patch");
    o->perturbation.seed = o->robustness.seed;
    o->randomisation_seed = o->robustness.seed;
    o->robustness.sigmas = parse_number_list(*sigmas, "--robustness-sigma");
    if (*stages != "all") o->randomisation_checkpoints = split_list(*stages);
    check_randomisation_checkpoints(o->randomisation_checkpoints);
    o->selection.grid = parse_alpha_grid(*grid);
    check_robustness_options(o->robustness);
    if (o->select) check_alpha_criterion(o->selection.criterion);
    if (!evidence->empty()) o->evidence = evidence_channels(parse_evidence_modalities(*evidence));
    o->cases = cases();
    JobRole job = start_or_join_job(*nproc, o->threads);
    if (job.launched) return;
    o->group = job.group.get();
    const auto lock = lock_job_output(job, o->out_dir, "evaluate");  // rank 0 writes
    const EvaluationResult r = run_evaluation(*o);
    if (job.rank != 0) return;
    for (const AlphaChoice& c : r.alpha0) {
      std::cout << c.family << ": alpha0 = "
                << (c.alpha0 ? std::to_string(*c.alpha0) : std::string("none passes")) << "\n";
    }
    for (const auto& [part, seconds] : r.seconds_per_part)
      std::cout << "  " << part << ": " << format_seconds(seconds) << "\n";
    std::cout << "wrote " << o->out_dir << " (" << r.rows.size() << " values, "
              << format_seconds(r.seconds) << ")\n";
  });
}

}  // namespace lrpseg::cli
