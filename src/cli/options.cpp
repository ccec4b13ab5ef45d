#include "cli/options.h"

#include "util/error.h"

namespace lrpseg::cli {

void add_threads_option(CLI::App* cmd, int& threads) {
  cmd->add_option("--threads", threads, "Threads for LibTorch and OpenBLAS (0 = all cores)")
      ->check(CLI::NonNegativeNumber);
}

std::vector<CaseFiles> choose_cases(const IslesDataset& dataset, const std::string& cases,
                                    const std::string& split) {
  if (split != "" && split != "training" && split != "test" && split != "all") {
    throw Error("--split: unknown value '" + split + "' (expected training, test or all)");
  }
  if (cases.empty()) {
    if (split == "training") return cases_of(dataset, Split::Training);
    if (split == "test") return cases_of(dataset, Split::Test);
    return dataset.cases;
  }
  if (split == "all") throw Error("--split all cannot be combined with --cases (numbers repeat)");
  return select_cases(dataset, parse_case_list(cases, "--cases"),
                      split == "test" ? Split::Test : Split::Training);
}

}  // namespace lrpseg::cli
