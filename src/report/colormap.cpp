#include "report/colormap.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "util/error.h"

namespace lrpseg {
namespace {

// Evenly spaced on [-1, 1]; the middle stop is 0.
constexpr std::array<std::array<uint8_t, 3>, 9> kStops = {{{0x21, 0x66, 0xAC},
                                                           {0x43, 0x93, 0xC3},
                                                           {0x92, 0xC5, 0xDE},
                                                           {0xD1, 0xE5, 0xF0},
                                                           {0xFF, 0xFF, 0xFF},
                                                           {0xFD, 0xDB, 0xC7},
                                                           {0xF4, 0xA5, 0x82},
                                                           {0xD6, 0x60, 0x4D},
                                                           {0xB2, 0x18, 0x2B}}};

std::string hex_colour(const std::array<uint8_t, 3>& c, int alpha = -1) {
  char buf[32];
  if (alpha < 0) {
    std::snprintf(buf, sizeof buf, "{x%02X%02X%02X}", c[0], c[1], c[2]);
  } else {
    std::snprintf(buf, sizeof buf, "{x%02X%02X%02X%02X}", c[0], c[1], c[2], alpha);
  }
  return buf;
}

}  // namespace

std::string css_colour(const std::array<uint8_t, 3>& rgb) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
  return buf;
}

std::string diverging_scheme() {
  std::string s;
  for (const auto& c : kStops) s += hex_colour(c);
  return s;
}

std::string diverging_overlay_scheme(double max_alpha) {
  if (!(max_alpha >= 0 && max_alpha <= 1)) throw Error("overlay opacity must lie in [0, 1]");
  const int mid = static_cast<int>(kStops.size()) / 2;
  std::string s;
  for (int i = 0; i < static_cast<int>(kStops.size()); ++i) {
    double magnitude = std::abs(i - mid) / static_cast<double>(mid);
    s += hex_colour(kStops[i],
                    static_cast<int>(std::lround(255 * max_alpha * std::sqrt(magnitude))));
  }
  return s;
}

std::array<uint8_t, 3> diverging_rgb(double value) {
  if (std::isnan(value)) value = 0;
  double pos = (std::clamp(value, -1.0, 1.0) + 1) / 2 * (kStops.size() - 1);
  size_t i = std::min(static_cast<size_t>(pos), kStops.size() - 2);
  double t = pos - i;
  std::array<uint8_t, 3> out;
  for (int k = 0; k < 3; ++k) {
    out[k] = static_cast<uint8_t>(std::lround((1 - t) * kStops[i][k] + t * kStops[i + 1][k]));
  }
  return out;
}

std::vector<std::array<uint8_t, 3>> diverging_lut(int n) {
  if (n < 2)
    throw Error("colormap lookup table needs at least 2 entries, got " + std::to_string(n));
  std::vector<std::array<uint8_t, 3>> lut(n);
  for (int i = 0; i < n; ++i) lut[i] = diverging_rgb(-1 + 2.0 * i / (n - 1));
  return lut;
}

}  // namespace lrpseg
