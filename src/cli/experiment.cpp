#include "study/experiment.h"

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/options.h"
#include "util/folder_lock.h"

namespace lrpseg::cli {

void add_experiment(CLI::App& app) {
  auto* cmd = app.add_subcommand("experiment", "The paper's study from a JSON config (resumable)");
  auto config = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto threads = std::make_shared<int>(-1);
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("--config", *config, "Config file, e.g. configs/paper.json")->required();
  cmd->add_option("--out", *out, "Run directory (overrides \"out\" in the config)");
  cmd->add_option("--threads", *threads, "Threads (0 = all cores; overrides the config)");
  auto device = std::make_shared<torch::Device>(torch::kCPU);
  add_device_option(cmd, *device);  // given, it overrides "device" in the config
  cmd->add_flag("--quiet", *quiet, "No progress output");
  auto nproc = std::make_shared<int>(1);
  add_nproc_option(cmd, *nproc, "whole networks, the sweep's (model, case) pairs and evaluations");
  cmd->callback([=] {
    ExperimentConfig c = read_experiment_config(*config);
    if (!out->empty()) c.out_dir = *out;
    if (*threads >= 0) c.threads = *threads;
    if (cmd->count("--device") > 0) c.device = *device;
    c.quiet = *quiet;
    JobRole job = start_or_join_job(*nproc, c.threads);
    if (job.launched) return;
    c.group = job.group.get();
    if (job.rank != 0) c.quiet = true;
    const auto lock = lock_job_output(job, c.out_dir, "experiment");  // every rank writes its share
    const ExperimentResult result = run_experiment(c);
    if (job.rank == 0) std::cout << "report: " << result.report << "\n";
  });
}

}  // namespace lrpseg::cli
