#pragma once
// The diverging colormap for relevance on [-1, 1]: blue (negative) - white (0) - red (positive),
// the 9-stop core of ColorBrewer RdBu reversed (matplotlib "RdBu_r") with a pure white centre,
// so zero relevance reads as "no contribution" on a white page and vanishes in overlays.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace lrpseg {

// MathGL colour scheme string for the colormap (use with colour range c = [-1, 1]).
std::string diverging_scheme();

// The same stops with an opacity ramp for overlays: transparent at 0, `max_alpha` opaque at
// |value| = 1, rising like sqrt(|value|) so that weak relevance still shows over an image.
std::string diverging_overlay_scheme(double max_alpha = 0.85);

// Colour of `value` (clamped to [-1, 1]; NaN gives white), interpolated linearly between the
// stops exactly as MathGL interpolates the scheme.
std::array<uint8_t, 3> diverging_rgb(double value);

// Outline and mask colours of the ground truth and the prediction: the slice
// viewer draws with these, and the report's legend names them.
inline constexpr std::array<uint8_t, 3> kTruthColour{0, 200, 83};
inline constexpr std::array<uint8_t, 3> kPredictionColour{255, 152, 0};

// "#rrggbb".
std::string css_colour(const std::array<uint8_t, 3>& rgb);

// n colours sampled evenly from -1 to +1 (n >= 2), e.g. for a CSS/JS lookup table.
std::vector<std::array<uint8_t, 3>> diverging_lut(int n = 256);

}  // namespace lrpseg
