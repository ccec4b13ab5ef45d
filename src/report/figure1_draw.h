#pragma once
// Drawing of Figure 1 from plain images, apart from the tensor handling in figure1.cpp.
#include <array>
#include <string>
#include <vector>

#include "report/plot_canvas.h"

namespace lrpseg::plot {

// A grayscale or scalar image, row-major, row 0 at the top.
struct Image {
  int height = 0, width = 0;
  std::vector<double> values;
  bool empty() const { return values.empty(); }
};

// Averages blocks of k x k pixels, k the smallest factor that brings both sides to <= max_side.
Image block_mean(const Image& image, int max_side);

struct Figure1Panels {
  std::string title;
  Image slice, ground_truth, prediction;  // ground_truth empty when the case has none
  double dice = -1;
  std::vector<std::string> relevance_titles;
  std::vector<Image> relevance;            // already divided by max|R_c|, so on [-1, 1]
  std::vector<double> max_abs;             // printed in the titles
  std::array<std::string, 4> edge_labels;  // left, right, top, bottom; empty: none drawn
};

void draw_figure1(Canvas& canvas, const Figure1Panels& panels);

}  // namespace lrpseg::plot
