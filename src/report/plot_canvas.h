#pragma once
// What every figure shares: a headless MathGL canvas of a fixed pixel size, text that MathGL
// prints literally, the series palette, and saving as PNG + SVG atomically.
#include <mgl2/mgl.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace lrpseg::plot {

// Average advance of a character relative to the capital height, for MathGL's default font.
constexpr double kCharPerCap = 0.7;

// A white canvas of width x height pixels with text size growing with the canvas. Kind 0 is a
// private graph: the default kind shares one global MathGL graph.
class Canvas {
 public:
  Canvas(int width, int height);
  mglGraph& gr() { return gr_; }
  int width() const { return width_; }
  int height() const { return height_; }
  // Height of a capital letter in body text, in pixels.
  double cap_px() const { return cap_px_; }

  // Further drawing goes into exactly [x1, x2] x [y1, y2] (fractions of the canvas, y upwards);
  // ticks and labels go outside. Text keeps the canvas's body size (MathGL scales it with the
  // box otherwise). Returns the MathGL font size that gives body text there.
  double frame(double x1, double x2, double y1, double y2);
  // Draws the legend entries added so far with its box's corner at (x, y): fractions of the
  // free room, (1, 1) being the top right corner of the canvas.
  void legend(double x, double y);
  // Room the legend takes at the right edge, for labels of up to `longest_label` characters.
  double legend_width_px(size_t longest_label) const;
  // Text centred (align ":C"), left (":L") or right (":R") at (x, y) in canvas fractions,
  // `scale` times the body size. Leaves the canvas as the current frame.
  void text(double x, double y, const std::wstring& text, const char* align = ":C",
            double scale = 1);
  // Writes path_png and, beside it, the SVG (svg_path_for); each through a temporary + rename.
  void save(const std::string& path_png);
  void save_png(const std::string& path);
  void save_svg(const std::string& path);

 private:
  void write(const std::string& path, bool png);
  int width_, height_;
  double cap_px_;
  mglGraph gr_;
};

// UTF-8 text as MathGL prints it verbatim: its TeX-like specials (_ ^ { } # \) are escaped.
std::wstring literal(const std::string& utf8);
// UTF-8 text decoded for MathGL, keeping TeX-like markup (for labels we write, e.g. "R_c").
std::wstring markup(const std::string& utf8);

// Colour of series i as a MathGL colour, e.g. "{x1F77B4}"; `light` mixes it halfway to white.
std::string series_colour(size_t i, bool light = false);

// The SVG written beside a PNG: same stem, extension .svg.
std::string svg_path_for(const std::string& path_png);

// Writes "no data" in the middle of the current (sub)plot.
void draw_no_data(mglGraph& gr);

// Checks the path's directory before any drawing, so that a bad path fails fast and by name.
void require_output_directory(const std::string& path);

// A PNG read back (via MathGL) as RGB rows, top row first; used by tests and checks.
struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // 3 * width * height
  std::array<uint8_t, 3> at(int x, int y) const {
    size_t i = 3 * (static_cast<size_t>(y) * width + x);
    return {rgb[i], rgb[i + 1], rgb[i + 2]};
  }
};
struct PngSize {
  int width = 0, height = 0;
};
// Width and height from the IHDR chunk; Error if the file is missing or not a PNG.
PngSize read_png_size(const std::string& path);
RgbImage read_png_rgb(const std::string& path);

}  // namespace lrpseg::plot
