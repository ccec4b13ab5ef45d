#include "study/demo.h"

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/options.h"
#include "util/folder_lock.h"

namespace lrpseg::cli {

void add_demo(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "demo", "The main job: synthesise data, train, segment, explain (paper sweep), report");
  auto d = std::make_shared<DemoOptions>();
  auto quick = std::make_shared<bool>(false);
  cmd->add_option("--out", d->out_dir, "Run directory (resumes what is already there)");
  cmd->add_flag("--quick", *quick, "A one-minute version (fewer cases and epochs)");
  cmd->add_option("--seed", d->seed, "Random seed");
  add_display_option(cmd, d->display);
  add_threads_option(cmd, d->threads);
  add_device_option(cmd, d->device);
  cmd->add_flag("--quiet", d->quiet, "No progress output");
  cmd->callback([d, quick] {
    DemoOptions options = *d;
    if (*quick) {
      options = DemoOptions::quick();
      options.out_dir = d->out_dir;
      options.seed = d->seed;
      options.threads = d->threads;
      options.device = d->device;
      options.display = d->display;
      options.quiet = d->quiet;
    }
    const FolderLock lock(options.out_dir, "demo");
    DemoResult r = run_demo(options);
    std::cout << "mean held-out Dice: " << r.mean_dice << "\n";
    for (const auto& line : r.best_filters) std::cout << "best filter: " << line << "\n";
    std::cout << "report: " << r.report << "\n";
  });
}

}  // namespace lrpseg::cli
