#pragma once
// The sweep's figures: box plots of the inclusivity coefficients per filter and
// series (paper Fig. 3 C/D) and jittered scatter + box plots of the normalised
// signal per filter (Fig. 5 D1/D2; Annex 2 for clamp filters).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/sweep.h"

namespace lrpseg {

// Writes the figures under RUN/<sub_dir>/ and returns manifest entries
// {"title", "file"} with paths relative to run_dir.
std::vector<nlohmann::json> write_sweep_figures(const std::vector<SweepRow>& rows,
                                                const std::string& run_dir,
                                                const std::string& sub_dir);

}  // namespace lrpseg
