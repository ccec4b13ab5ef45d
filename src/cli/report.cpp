#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "report/html_report.h"

namespace lrpseg::cli {

void add_report(CLI::App& app) {
  auto* cmd = app.add_subcommand("report", "Rebuild the HTML report of a run directory");
  auto run = std::make_shared<std::string>();
  cmd->add_option("--run", *run, "Run directory (holds run.json)")->required();
  cmd->callback([run] { std::cout << write_report(*run) << "\n"; });
}

}  // namespace lrpseg::cli
