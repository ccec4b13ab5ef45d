#pragma once
// Plots of the sweep's results (paper Fig. 3 C/D, Fig. 5 D1/D2) and training curves, drawn with
// MathGL. Each function writes the PNG at path_png and an SVG with the same stem beside it,
// both atomically. NaN samples are skipped; a plot without data says "no data". A directory
// that does not exist is an lrpseg::Error naming the path.
#include <string>
#include <vector>

namespace lrpseg {

// One series of a box plot: values[i] are the samples for category i (missing trailing
// categories count as empty).
struct BoxSeries {
  std::string label;
  std::vector<std::vector<double>> values;
};

// Box plots (median, quartiles, whiskers at 1.5 IQR, outliers) of several series side by side
// per category (Fig. 3 C/D: categories = filters, series = A/B/C/X), with a legend per series;
// jitter_points puts every sample on top as an x (Fig. 3 D).
void plot_boxes(const std::vector<std::string>& categories, const std::vector<BoxSeries>& series,
                const std::string& title, const std::string& y_label, bool jitter_points,
                const std::string& path_png, int width = 1200, int height = 600);

// Fig. 5 D1/D2: the samples of each category scattered horizontally at random, with the
// category's box plot on top.
void plot_scatter_box(const std::vector<std::string>& categories,
                      const std::vector<std::vector<double>>& values, const std::string& title,
                      const std::string& y_label, const std::string& path_png, int width = 1200,
                      int height = 600);

struct Curve {
  std::string label;
  std::vector<double> x, y;  // same length; NaN points leave a gap
};

// Two panels side by side (e.g. training loss and validation Dice against epoch), one curve per
// model, each panel with its own legend.
void plot_curves(const std::vector<Curve>& left, const std::string& left_y,
                 const std::vector<Curve>& right, const std::string& right_y,
                 const std::string& x_label, const std::string& path_png, int width = 1200,
                 int height = 450);

}  // namespace lrpseg
