#pragma once
// The plots of `lrpseg evaluate`: MoRF and LeRF perturbation curves, the
// cascading-randomisation curves, each localisation metric against α with α0
// marked (with --select), and correlation against the input-noise σ (with
// several σ). Each is mean over cases, one curve per method and filter.
#include <string>
#include <vector>

#include "evaluation/evaluate.h"

namespace lrpseg {

// Writes the plots that `result` has data for into `dir` (PNG, with an SVG
// beside each) and returns their file names.
std::vector<std::string> plot_evaluation(const EvaluationResult& result, const std::string& dir);

}  // namespace lrpseg
