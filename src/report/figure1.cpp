#include "report/figure1.h"

#include <cmath>

#include "report/figure1_draw.h"
#include "report/plot_canvas.h"
#include "util/error.h"

namespace lrpseg {
namespace {

// Above this many pixels a side, the SVG shows block means: MathGL writes two triangles per
// pixel, ~60 bytes each, so a 256 x 256 panel alone would take 8 MB.
constexpr int kSvgMaxSide = 96;

plot::Image to_image(const torch::Tensor& t, const std::string& what, const std::string& path,
                     int64_t height = -1, int64_t width = -1) {
  if (!t.defined() || t.dim() != 2) {
    throw Error(path + ": Figure 1 needs " + what + " as an (H, W) tensor");
  }
  if (height >= 0 && (t.size(0) != height || t.size(1) != width)) {
    throw Error(path + ": " + what + " is " + std::to_string(t.size(0)) + "x" +
                std::to_string(t.size(1)) + " but the modality slice is " + std::to_string(height) +
                "x" + std::to_string(width));
  }
  if (t.size(0) < 2 || t.size(1) < 2) throw Error(path + ": " + what + " is smaller than 2x2");
  torch::Tensor c = t.detach().to(torch::kCPU, torch::kDouble).contiguous();
  plot::Image image;
  image.height = static_cast<int>(c.size(0));
  image.width = static_cast<int>(c.size(1));
  image.values.assign(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
  return image;
}

plot::Figure1Panels downsampled(plot::Figure1Panels p, int max_side) {
  p.slice = plot::block_mean(p.slice, max_side);
  p.ground_truth = plot::block_mean(p.ground_truth, max_side);
  p.prediction = plot::block_mean(p.prediction, max_side);
  for (auto& r : p.relevance) r = plot::block_mean(r, max_side);
  return p;
}

}  // namespace

void render_figure1(const Figure1Data& data, const std::string& path_png, int width, int height) {
  plot::require_output_directory(path_png);
  const size_t n = data.relevance.size();
  if (data.relevance_titles.size() != n || (!data.max_abs.empty() && data.max_abs.size() != n)) {
    throw Error(path_png + ": Figure 1 has " + std::to_string(n) + " relevance maps but " +
                std::to_string(data.relevance_titles.size()) + " titles and " +
                std::to_string(data.max_abs.size()) + " max|R_c| values");
  }
  plot::Figure1Panels p;
  p.title = data.title;
  p.slice = to_image(data.modality_slice, "the modality slice", path_png);
  const int64_t h = p.slice.height, w = p.slice.width;
  if (data.ground_truth.defined()) {
    p.ground_truth = to_image(data.ground_truth, "the ground truth", path_png, h, w);
  }
  p.prediction = to_image(data.prediction, "the prediction", path_png, h, w);
  p.dice = data.dice;
  p.edge_labels = data.edge_labels;
  p.relevance_titles = data.relevance_titles;
  for (size_t i = 0; i < n; ++i) {
    plot::Image r =
        to_image(data.relevance[i], "relevance map " + std::to_string(i), path_png, h, w);
    double max_abs = data.max_abs.empty() ? NAN : data.max_abs[i];
    if (!(max_abs > 0)) {  // no volume maximum given (or a zero map): the slice's own maximum
      max_abs = 0;
      for (double v : r.values) {
        if (std::isfinite(v)) max_abs = std::max(max_abs, std::abs(v));
      }
    }
    if (max_abs > 0) {
      for (double& v : r.values) v /= max_abs;
    }
    p.relevance.push_back(std::move(r));
    p.max_abs.push_back(max_abs);
  }

  plot::Canvas canvas(width, height);
  plot::draw_figure1(canvas, p);
  canvas.save_png(path_png);
  if (std::max(h, w) <= kSvgMaxSide) {
    canvas.save_svg(plot::svg_path_for(path_png));
  } else {
    plot::Canvas small(width, height);
    plot::draw_figure1(small, downsampled(p, kSvgMaxSide));
    small.save_svg(plot::svg_path_for(path_png));
  }
}

}  // namespace lrpseg
