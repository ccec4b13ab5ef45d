#include "report/plot_stats.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace lrpseg::plot {

std::vector<double> finite(const std::vector<double>& samples) {
  std::vector<double> out;
  out.reserve(samples.size());
  for (double v : samples) {
    if (std::isfinite(v)) out.push_back(v);
  }
  return out;
}

BoxStats box_stats(const std::vector<double>& samples) {
  BoxStats s;
  std::vector<double> v = finite(samples);
  std::sort(v.begin(), v.end());
  s.n = v.size();
  if (v.empty()) return s;
  auto quantile = [&](double q) {
    double pos = q * (v.size() - 1);
    size_t i = static_cast<size_t>(pos);
    if (i + 1 >= v.size()) return v.back();
    return v[i] + (pos - i) * (v[i + 1] - v[i]);
  };
  s.q1 = quantile(0.25);
  s.median = quantile(0.5);
  s.q3 = quantile(0.75);
  double reach = 1.5 * (s.q3 - s.q1);
  s.whisker_low = s.q1;
  s.whisker_high = s.q3;
  for (double x : v) {
    if (x < s.q1 - reach || x > s.q3 + reach) {
      s.outliers.push_back(x);
    } else {
      s.whisker_low = std::min(s.whisker_low, x);
      s.whisker_high = std::max(s.whisker_high, x);
    }
  }
  return s;
}

std::vector<double> jitter(size_t n, double half_width, uint64_t stream) {
  // A fixed seed per stream: figures are identical between runs and machines (mt19937 is
  // specified by the standard; the distribution is computed by hand for the same reason).
  std::mt19937_64 rng(0x5EED0000ULL + stream);
  std::vector<double> out(n);
  for (double& x : out) x = half_width * (2.0 * (rng() >> 11) * 0x1.0p-53 - 1.0);
  return out;
}

}  // namespace lrpseg::plot
