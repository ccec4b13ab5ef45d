#include "report/plots.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "report/plot_canvas.h"
#include "report/plot_stats.h"
#include "util/error.h"

namespace lrpseg {
namespace {

using plot::BoxStats;
using plot::Canvas;

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  bool empty() const { return !(lo <= hi); }
  void add(double v) {
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  // With a margin, so that no mark sits on the frame; a single value gets a unit-wide range.
  Range padded(double fraction = 0.06) const {
    double span = hi - lo;
    if (span <= 1e-12 * std::max(1.0, std::abs(hi))) span = std::max(1.0, std::abs(hi));
    return {lo - fraction * span, hi + fraction * span};
  }
};

const std::vector<double>& samples_of(const BoxSeries& s, size_t category) {
  static const std::vector<double> kNone;
  return category < s.values.size() ? s.values[category] : kNone;
}

mglData to_mgl(const std::vector<double>& v) {
  mglData d(static_cast<long>(std::max<size_t>(v.size(), 1)));
  for (size_t i = 0; i < v.size(); ++i) d.a[i] = v[i];
  return d;
}

// How the categories of a box plot are drawn.
struct BoxStyle {
  bool fill = true;     // boxes filled with the light series colour (else outlined only)
  bool points = false;  // every sample scattered on top
  const char* point_mark = "x";
  bool outliers = true;  // outliers as open circles (redundant when all points are shown)
  bool legend = true;
};

void draw_box(mglGraph& gr, double x, double half, const BoxStats& s, const std::string& fill,
              const std::string& edge, const std::string& median) {
  double l = x - half, r = x + half;
  if (!fill.empty()) {
    gr.Face(mglPoint(l, s.q1), mglPoint(r, s.q1), mglPoint(l, s.q3), mglPoint(r, s.q3),
            fill.c_str());
  }
  gr.Line(mglPoint(l, s.q1), mglPoint(r, s.q1), edge.c_str());
  gr.Line(mglPoint(l, s.q3), mglPoint(r, s.q3), edge.c_str());
  gr.Line(mglPoint(l, s.q1), mglPoint(l, s.q3), edge.c_str());
  gr.Line(mglPoint(r, s.q1), mglPoint(r, s.q3), edge.c_str());
  gr.Line(mglPoint(x, s.q1), mglPoint(x, s.whisker_low), edge.c_str());
  gr.Line(mglPoint(x, s.q3), mglPoint(x, s.whisker_high), edge.c_str());
  gr.Line(mglPoint(x - half / 2, s.whisker_low), mglPoint(x + half / 2, s.whisker_low),
          edge.c_str());
  gr.Line(mglPoint(x - half / 2, s.whisker_high), mglPoint(x + half / 2, s.whisker_high),
          edge.c_str());
  gr.Line(mglPoint(l, s.median), mglPoint(r, s.median), median.c_str());
}

size_t longest_text(const std::vector<std::string>& texts) {
  size_t n = 0;
  for (const auto& t : texts) n = std::max(n, plot::markup(t).size());
  return n;
}

// Room below the frame for the category names: one line when they fit their slot; otherwise
// MathGL turns them (by 20-50 degrees), and they need room in proportion to the longest.
double category_label_room_px(const std::vector<std::string>& categories, double frame_w_px,
                              double cap_px) {
  double longest_px = longest_text(categories) * plot::kCharPerCap * cap_px;
  double slot_px = frame_w_px / std::max<size_t>(categories.size(), 1);
  bool turned = longest_px > 0.9 * slot_px;
  return turned ? 2.5 * cap_px + longest_px * 0.55 : 2.5 * cap_px;
}

void draw_category_labels(mglGraph& gr, const std::vector<std::string>& categories) {
  mglData ticks(static_cast<long>(categories.size()));
  std::wstring labels;
  for (size_t c = 0; c < categories.size(); ++c) {
    ticks.a[c] = c;
    labels += (c ? L"\n" : L"") + plot::literal(categories[c]);
  }
  gr.SetTicksVal('x', ticks, labels.c_str());
  gr.SetTickRotate(true);
}

void draw_categories(Canvas& canvas, const std::vector<std::string>& categories,
                     const std::vector<BoxSeries>& series, const std::string& title,
                     const std::string& y_label, const BoxStyle& style) {
  mglGraph& gr = canvas.gr();
  const size_t n_cat = categories.size();
  const double W = canvas.width(), H = canvas.height(), cap = canvas.cap_px();
  Range range;
  for (const auto& s : series) {
    for (size_t c = 0; c < n_cat; ++c) {
      for (double v : samples_of(s, c)) range.add(v);
    }
  }
  const bool has_data = n_cat > 0 && !series.empty() && !range.empty();
  const bool show_legend = style.legend && has_data;
  std::vector<std::string> names;
  for (const auto& s : series) names.push_back(s.label);

  // Margins in pixels: y tick labels and y label on the left, legend on the right, the title on
  // top, the category names below.
  double left = 7 * cap;
  double right = show_legend ? canvas.legend_width_px(longest_text(names)) : 2 * cap;
  double top = 3.5 * cap;
  double bottom =
      std::min(category_label_room_px(categories, W - left - right, cap) + cap, 0.45 * H);

  canvas.text(0.5, 1 - 1.8 * cap / H, plot::literal(title), ":C", 1.3);
  canvas.frame(left / W, 1 - right / W, bottom / H, 1 - top / H);
  if (!has_data) {
    gr.SetTicksVal('x', L"");
    gr.Box();
    plot::draw_no_data(gr);
    return;
  }
  Range y = range.padded();
  gr.SetRanges(-0.5, n_cat - 0.5, y.lo, y.hi);
  draw_category_labels(gr, categories);
  gr.Label('y', plot::literal(y_label).c_str(), 0);
  gr.Grid("y", "h:");
  gr.Axis("xy");
  gr.Box();

  gr.SetMarkSize(0.6 * cap / 12);           // marks follow the text size
  const double slot = 0.8 / series.size();  // the series share 80% of a category's width
  const double half = 0.36 * slot;
  for (size_t si = 0; si < series.size(); ++si) {
    const std::string colour = plot::series_colour(si);
    const std::string fill = style.fill ? plot::series_colour(si, true) : "";
    for (size_t c = 0; c < n_cat; ++c) {
      const double x = c - 0.4 + (si + 0.5) * slot;
      std::vector<double> v = plot::finite(samples_of(series[si], c));
      if (v.empty()) continue;
      BoxStats stats = plot::box_stats(v);
      if (style.fill) draw_box(gr, x, half, stats, fill, "k", "k2");
      if (style.points) {
        std::vector<double> dx = plot::jitter(v.size(), half * 0.9, si * 100003 + c);
        for (size_t i = 0; i < v.size(); ++i) dx[i] += x;
        gr.Plot(to_mgl(dx), to_mgl(v), (colour + " " + style.point_mark).c_str());
        if (style.fill) {  // the median stays readable above the points
          gr.Line(mglPoint(x - half, stats.median), mglPoint(x + half, stats.median), "k2");
        }
      }
      if (!style.fill) draw_box(gr, x, half, stats, "", "k", "{xD62728}2");
      if (style.outliers && !style.points && !stats.outliers.empty()) {
        gr.Plot(to_mgl(std::vector<double>(stats.outliers.size(), x)), to_mgl(stats.outliers),
                (colour + " o").c_str());
      }
    }
    if (show_legend) {
      gr.AddLegend(plot::literal(series[si].label).c_str(), (colour + " s#").c_str());
    }
  }
  if (show_legend) {
    canvas.legend(1, 1 - top / H);
  }
}

}  // namespace

void plot_boxes(const std::vector<std::string>& categories, const std::vector<BoxSeries>& series,
                const std::string& title, const std::string& y_label, bool jitter_points,
                const std::string& path_png, int width, int height) {
  plot::require_output_directory(path_png);
  Canvas canvas(width, height);
  BoxStyle style;
  style.points = jitter_points;
  draw_categories(canvas, categories, series, title, y_label, style);
  canvas.save(path_png);
}

void plot_scatter_box(const std::vector<std::string>& categories,
                      const std::vector<std::vector<double>>& values, const std::string& title,
                      const std::string& y_label, const std::string& path_png, int width,
                      int height) {
  plot::require_output_directory(path_png);
  Canvas canvas(width, height);
  BoxStyle style;
  style.fill = false;
  style.points = true;
  style.point_mark = "#o";
  style.outliers = false;
  style.legend = false;
  draw_categories(canvas, categories, {BoxSeries{"", values}}, title, y_label, style);
  canvas.save(path_png);
}

namespace {

// The legend goes into the corner of the panel with the fewest curve points.
int emptiest_corner(const std::vector<Curve>& curves, const Range& x, const Range& y) {
  // MathGL's corners: 0 bottom left, 1 bottom right, 2 top left, 3 top right.
  int count[4] = {0, 0, 0, 0};
  for (const auto& c : curves) {
    for (size_t i = 0; i < c.x.size(); ++i) {
      double u = (c.x[i] - x.lo) / (x.hi - x.lo), v = (c.y[i] - y.lo) / (y.hi - y.lo);
      if (!std::isfinite(u) || !std::isfinite(v)) continue;
      if (v < 0.4 && u < 0.45) ++count[0];
      if (v < 0.4 && u > 0.55) ++count[1];
      if (v > 0.6 && u < 0.45) ++count[2];
      if (v > 0.6 && u > 0.55) ++count[3];
    }
  }
  int best = 3;  // top right on ties
  for (int k : {1, 2, 0}) {
    if (count[k] < count[best]) best = k;
  }
  return best;
}

void draw_curves(Canvas& canvas, double x1, double x2, const std::vector<Curve>& curves,
                 const std::string& y_label, const std::string& x_label) {
  mglGraph& gr = canvas.gr();
  const double cap = canvas.cap_px();
  canvas.frame(x1, x2, 4.5 * cap / canvas.height(), 1 - 2 * cap / canvas.height());
  Range x, y;
  size_t longest = 0;
  for (const auto& c : curves) {
    if (c.x.size() != c.y.size()) {
      throw Error("curve " + c.label + ": " + std::to_string(c.x.size()) + " x values but " +
                  std::to_string(c.y.size()) + " y values");
    }
    for (size_t i = 0; i < c.x.size(); ++i) {
      if (std::isfinite(c.x[i]) && std::isfinite(c.y[i])) x.add(c.x[i]), y.add(c.y[i]);
    }
    longest = std::max(longest, c.x.size());
  }
  if (x.empty()) {
    gr.Box();
    plot::draw_no_data(gr);
    return;
  }
  Range xr = x.padded(0.02), yr = y.padded();
  gr.SetRanges(xr.lo, xr.hi, yr.lo, yr.hi);
  gr.Grid("xy", "h:");
  gr.Axis("xy");
  gr.Box();
  gr.Label('x', plot::literal(x_label).c_str(), 0);
  gr.Label('y', plot::literal(y_label).c_str(), 0);
  const char* mark = longest <= 20 ? "o" : "";  // marks help only while points are few
  for (size_t i = 0; i < curves.size(); ++i) {
    const Curve& c = curves[i];
    if (c.x.empty()) continue;
    std::string pen = plot::series_colour(i) + "-2" + mark;
    gr.Plot(to_mgl(c.x), to_mgl(c.y), pen.c_str());
    gr.AddLegend(plot::literal(c.label).c_str(), pen.c_str());
  }
  gr.Legend(emptiest_corner(curves, xr, yr), "#", "size -1.25; value 0.05");  // body-sized text
}

}  // namespace

void plot_curves(const std::vector<Curve>& left, const std::string& left_y,
                 const std::vector<Curve>& right, const std::string& right_y,
                 const std::string& x_label, const std::string& path_png, int width, int height) {
  plot::require_output_directory(path_png);
  Canvas canvas(width, height);
  const double margin = 7 * canvas.cap_px() / width;  // y tick labels and y label
  draw_curves(canvas, margin, 0.5 - margin / 4, left, left_y, x_label);
  canvas.gr().ClearLegend();
  draw_curves(canvas, 0.5 + margin, 1 - margin / 4, right, right_y, x_label);
  canvas.save(path_png);
}

}  // namespace lrpseg
