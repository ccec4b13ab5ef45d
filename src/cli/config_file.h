#pragma once
// `--config FILE` for the data-processing subcommands: a JSON object whose keys
// are the subcommand's long option names without dashes ({"cases": "17-20",
// "check-precision": true, "threads": 2}); options given on the command line
// override the file. Unknown keys, values of the wrong kind and invalid JSON are
// usage errors naming the file.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace lrpseg::cli {

// Declares --config FILE on `cmd` (for --help; expand_config_files reads it).
void add_config_option(CLI::App* cmd);

// The command line with each --config file of the subcommand it follows turned
// into options (inserted after the subcommand name, skipping those the command
// line gives itself). CLI11 reads config files of the main app only, hence this.
std::vector<std::string> expand_config_files(const CLI::App& app,
                                             const std::vector<std::string>& args);

}  // namespace lrpseg::cli
