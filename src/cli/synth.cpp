#include "data/synth.h"

#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/config_file.h"
#include "util/folder_lock.h"
#include "util/progress.h"

namespace lrpseg::cli {

void add_synth(CLI::App& app) {
  auto* cmd = app.add_subcommand("synth", "Write a synthetic ISLES-2017-format dataset (NIfTI)");
  add_config_option(cmd);
  auto o = std::make_shared<SynthOptions>();
  auto evidence = std::make_shared<std::string>();
  cmd->add_option("--out", o->out_dir, "Output directory (must not hold cases yet)")->required();
  cmd->add_option("--cases", o->training_cases, "Number of training cases (with OT)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--test-cases", o->test_cases, "Number of test cases (without OT)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", o->seed, "Random seed; the same seed gives identical files");
  auto* evidence_option =
      cmd->add_option("--evidence", *evidence,
                      "Only these maps show the lesion, e.g. MTT,Tmax,TTP; the others show decoys "
                      "(default: all six)");
  cmd->callback([o, evidence, evidence_option] {
    if (evidence_option->count() > 0) o->evidence = parse_evidence_modalities(*evidence);
    const FolderLock lock(o->out_dir, "synth");
    Progress progress("synth", o->training_cases + o->test_cases);
    synthesize_isles(*o, [&](int done, int) { progress.update(done); });
    progress.finish();
    std::cout << o->out_dir << "\n";
  });
}

}  // namespace lrpseg::cli
