#include "cli/commands.h"

namespace lrpseg::cli {

void add_synth(CLI::App& app) { app.add_subcommand("synth", "Write a synthetic ISLES-2017 dataset"); }

}  // namespace lrpseg::cli
