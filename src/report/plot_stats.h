#pragma once
// Box-plot statistics (Tukey): quartiles by linear interpolation between order statistics
// (numpy's and matplotlib's default), whiskers at the furthest samples within 1.5 IQR.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lrpseg::plot {

struct BoxStats {
  size_t n = 0;  // finite samples; all else is meaningless when 0
  double q1 = 0, median = 0, q3 = 0;
  double whisker_low = 0, whisker_high = 0;
  std::vector<double> outliers;
};

// NaN and infinite samples are ignored.
BoxStats box_stats(const std::vector<double>& samples);

// Finite samples only.
std::vector<double> finite(const std::vector<double>& samples);

// Horizontal offsets in [-half_width, half_width] for scattering n points, the same for the
// same (n, stream) on every run.
std::vector<double> jitter(size_t n, double half_width, uint64_t stream);

}  // namespace lrpseg::plot
