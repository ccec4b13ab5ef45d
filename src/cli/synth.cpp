#include "data/synth.h"

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "util/progress.h"

namespace lrpseg::cli {

void add_synth(CLI::App& app) {
  auto* cmd = app.add_subcommand("synth", "Write a synthetic ISLES-2017-format dataset (NIfTI)");
  auto o = std::make_shared<SynthOptions>();
  cmd->add_option("--out", o->out_dir, "Output directory (must not hold cases yet)")->required();
  cmd->add_option("--cases", o->training_cases, "Number of training cases (with OT)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--test-cases", o->test_cases, "Number of test cases (without OT)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", o->seed, "Random seed; the same seed gives identical files");
  cmd->callback([o] {
    Progress progress("synth", o->training_cases + o->test_cases);
    synthesize_isles(*o, [&](int done, int) { progress.update(done); });
    progress.finish();
    std::cout << o->out_dir << "\n";
  });
}

}  // namespace lrpseg::cli
