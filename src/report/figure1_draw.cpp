#include "report/figure1_draw.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "report/colormap.h"

namespace lrpseg::plot {

Image block_mean(const Image& image, int max_side) {
  int k =
      std::max((image.height + max_side - 1) / max_side, (image.width + max_side - 1) / max_side);
  if (k <= 1) return image;
  Image out;
  out.height = (image.height + k - 1) / k;
  out.width = (image.width + k - 1) / k;
  out.values.assign(static_cast<size_t>(out.height) * out.width, 0.0);
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      double sum = 0;
      int n = 0;
      for (int yy = y * k; yy < std::min(image.height, (y + 1) * k); ++yy) {
        for (int xx = x * k; xx < std::min(image.width, (x + 1) * k); ++xx) {
          double v = image.values[static_cast<size_t>(yy) * image.width + xx];
          if (std::isfinite(v)) sum += v, ++n;
        }
      }
      out.values[static_cast<size_t>(y) * out.width + x] = n ? sum / n : NAN;
    }
  }
  return out;
}

namespace {

// MathGL's y axis points up, so the image's row 0 goes to the largest y.
mglData to_mgl(const Image& image) {
  mglData d(image.width, image.height);
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      d.a[x + static_cast<size_t>(image.width) * (image.height - 1 - y)] =
          image.values[static_cast<size_t>(y) * image.width + x];
    }
  }
  return d;
}

struct ImageRange {
  double lo, hi;
};

ImageRange finite_range(const Image& image) {
  double lo = INFINITY, hi = -INFINITY;
  for (double v : image.values) {
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  if (!(lo <= hi)) return {0, 1};
  if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) return {lo - 0.5, hi + 0.5};
  return {lo, hi};
}

std::string format_value(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// One panel: a cell of the grid, with the title above the image and room for a colour bar at the
// right. The image keeps square pixels and is centred in what is left.
class PanelGrid {
 public:
  PanelGrid(Canvas& canvas, int columns, int rows, double top_px, int img_w, int img_h)
      : canvas_(canvas),
        columns_(columns),
        rows_(rows),
        top_px_(top_px),
        img_w_(img_w),
        img_h_(img_h) {}

  // Selects the panel (column, row), writes its title and makes its image area the frame.
  void select(int column, int row, const std::string& title_markup) {
    const double W = canvas_.width(), H = canvas_.height(), cap = canvas_.cap_px();
    const double cell_w = W / columns_, cell_h = (H - top_px_ - cap) / rows_;
    const double cell_x = column * cell_w, cell_top = top_px_ + row * cell_h;
    const double title_px = 2.2 * cap, bar_px = 6.5 * cap, pad = cap;
    double avail_w = cell_w - bar_px - 2 * pad, avail_h = cell_h - title_px - pad;
    double scale = std::min(avail_w / img_w_, avail_h / img_h_);
    double w = img_w_ * scale, h = img_h_ * scale;
    double x0 = cell_x + pad + (avail_w - w) / 2;
    double top = cell_top + title_px + (avail_h - h) / 2;
    canvas_.text((x0 + w / 2) / W, 1 - (top - 0.7 * cap) / H, markup(title_markup), ":C", 1.05);
    canvas_.frame(x0 / W, (x0 + w) / W, 1 - (top + h) / H, 1 - top / H);
    canvas_.gr().SetRanges(0, img_w_ - 1, 0, img_h_ - 1);
    pixels_per_unit_ = scale;
  }

  // The patient directions at the middle of the image's edges, black on small white boxes inside
  // the image so they read on any colour.
  void edge_labels(const std::array<std::string, 4>& labels) {
    mglGraph& gr = canvas_.gr();
    const double half = 0.75 * canvas_.cap_px() / pixels_per_unit_;  // box half side, data units
    const double x_mid = (img_w_ - 1) / 2.0, y_mid = (img_h_ - 1) / 2.0;
    // The image spans [0, w - 1] x [0, h - 1]; MathGL's y axis points up.
    const std::array<mglPoint, 4> centres{mglPoint(half, y_mid), mglPoint(img_w_ - 1 - half, y_mid),
                                          mglPoint(x_mid, img_h_ - 1 - half),
                                          mglPoint(x_mid, half)};
    for (size_t e = 0; e < 4; ++e) {
      if (labels[e].empty()) continue;
      const double x = centres[e].x, y = centres[e].y;
      gr.Face(mglPoint(x - half, y - half, 0.5), mglPoint(x + half, y - half, 0.5),
              mglPoint(x - half, y + half, 0.5), mglPoint(x + half, y + half, 0.5), "w");
      gr.Putsw(mglPoint(x, y - 0.45 * half, 0.9), literal(labels[e]).c_str(), "k:C", -0.9);
    }
  }

 private:
  Canvas& canvas_;
  int columns_, rows_;
  double top_px_;
  int img_w_, img_h_;
  double pixels_per_unit_ = 1;
};

void draw_colourbar(mglGraph& gr, const std::string& scheme) {
  gr.Colorbar((scheme + ">").c_str(), 1.03, 0, 1, 1);  // a little apart from the image
}

// Text we compose with MathGL markup around a caller's literal text.
std::string escaped(const std::string& s) {
  std::wstring w = literal(s);
  std::string out;
  for (wchar_t c : w) {  // back to UTF-8
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

}  // namespace

void draw_figure1(Canvas& canvas, const Figure1Panels& p) {
  mglGraph& gr = canvas.gr();
  const int n_rel = static_cast<int>(p.relevance.size());
  const int columns = std::max(n_rel, 3);
  const double top_px = 3 * canvas.cap_px();
  canvas.text(0.5, 1 - 1.5 * canvas.cap_px() / canvas.height(), literal(p.title), ":C", 1.3);
  // Opaque by default; only the overlay scheme carries transparency.
  gr.Alpha(true);
  gr.SetAlphaDef(1);

  PanelGrid grid(canvas, columns, 3, top_px, p.slice.width, p.slice.height);
  const std::string diverging = diverging_scheme();
  const std::string overlay = diverging_overlay_scheme();
  const ImageRange slice_range = finite_range(p.slice);
  const mglData slice = to_mgl(p.slice);
  static const char* kLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

  for (int i = 0; i < n_rel; ++i) {
    const std::string letter(1, kLetters[i % 26]);
    const std::string name =
        p.relevance_titles[i].empty() ? "" : " " + escaped(p.relevance_titles[i]);
    const std::string max = ", max|R_c| = " + format_value(p.max_abs[i]);
    const mglData relevance = to_mgl(p.relevance[i]);

    grid.select(i, 0, "(" + letter + ")" + name + max);
    gr.SetRange('c', -1, 1);
    gr.Dens(relevance, diverging.c_str());
    gr.Box("k", false);
    grid.edge_labels(p.edge_labels);
    draw_colourbar(gr, diverging);

    grid.select(i, 1, "(" + letter + "2)" + name + " on the slice");
    gr.SetRange('c', slice_range.lo, slice_range.hi);
    gr.Dens(slice, "kw");
    gr.SetRange('c', -1, 1);
    gr.Dens(relevance, overlay.c_str());
    gr.Box("k", false);
    grid.edge_labels(p.edge_labels);
    draw_colourbar(gr, diverging);
  }

  const char letter_gt = kLetters[n_rel % 26], letter_pred = kLetters[(n_rel + 1) % 26],
             letter_slice = kLetters[(n_rel + 2) % 26];
  grid.select(0, 2, std::string("(") + letter_gt + ") ground truth");
  if (p.ground_truth.empty()) {
    gr.Box("k", false);
    gr.SetRanges(0, 1, 0, 1);
    gr.Putsw(mglPoint(0.5, 0.5), L"not available", ":C", -1);
  } else {
    gr.SetRange('c', 0, 1);
    gr.Dens(to_mgl(p.ground_truth), "kw");
    gr.Box("k", false);
    grid.edge_labels(p.edge_labels);
  }

  std::string pred_title = std::string("(") + letter_pred + ") prediction";
  if (p.dice >= 0) pred_title += ", Dice " + format_value(std::round(p.dice * 1000) / 1000);
  grid.select(1, 2, pred_title);
  gr.SetRange('c', 0, 1);
  gr.Dens(to_mgl(p.prediction), "kw");
  gr.Box("k", false);
  grid.edge_labels(p.edge_labels);

  grid.select(2, 2, std::string("(") + letter_slice + ") modality slice");
  gr.SetRange('c', slice_range.lo, slice_range.hi);
  gr.Dens(slice, "kw");
  gr.Box("k", false);
  grid.edge_labels(p.edge_labels);
  draw_colourbar(gr, "kw");
}

}  // namespace lrpseg::plot
