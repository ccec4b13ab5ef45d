#pragma once
// Options shared by several subcommands.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "io/isles.h"

namespace lrpseg::cli {

// --threads N (0 = all cores).
void add_threads_option(CLI::App* cmd, int& threads);

// Cases chosen by --cases (e.g. "1,4,27" or "1-10") and --split
// (training|test|all). Without --cases: every case of the split (default all);
// with --cases: those numbers in the split (default training).
std::vector<CaseFiles> choose_cases(const IslesDataset& dataset, const std::string& cases,
                                    const std::string& split);

}  // namespace lrpseg::cli
