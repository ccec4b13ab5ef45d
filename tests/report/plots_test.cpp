#include "report/plots.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "error_of.h"
#include "report/colormap.h"
#include "report/plot_canvas.h"
#include "report/plot_stats.h"
#include "temp_dir.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;

std::string head_of(const std::string& path, size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::string s(n, '\0');
  in.read(s.data(), static_cast<std::streamsize>(n));
  s.resize(static_cast<size_t>(in.gcount()));
  return s;
}

// A PNG (signature, IHDR size as asked) and an SVG beside it.
void expect_png_and_svg(const std::string& png, int width, int height) {
  EXPECT_EQ(head_of(png, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  plot::PngSize size = plot::read_png_size(png);
  EXPECT_EQ(size.width, width);
  EXPECT_EQ(size.height, height);
  std::string svg = plot::svg_path_for(png);
  ASSERT_TRUE(fs::exists(svg)) << svg;
  EXPECT_NE(head_of(svg, 400).find("<svg"), std::string::npos);
}

// Fraction of pixels with a clear hue: the data drawn in series colours. Axes, text and the
// white page are gray, so a plot without data scores 0.
double coloured_fraction(const std::string& png) {
  plot::RgbImage image = plot::read_png_rgb(png);
  size_t coloured = 0;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      auto p = image.at(x, y);
      int hi = std::max({p[0], p[1], p[2]}), lo = std::min({p[0], p[1], p[2]});
      if (hi - lo > 60) ++coloured;
    }
  }
  return static_cast<double>(coloured) / (image.width * image.height);
}

std::vector<std::string> filters() {
  std::vector<std::string> names = {"raw"};
  for (int i = 1; i < 16; ++i) names.push_back("pass 0–0." + std::to_string(i));
  return names;
}

std::vector<BoxSeries> three_series(size_t n_categories) {
  std::vector<BoxSeries> series;
  for (int s = 0; s < 3; ++s) {
    BoxSeries b{std::string(1, static_cast<char>('A' + s)), {}};
    for (size_t c = 0; c < n_categories; ++c) {
      std::vector<double> v;
      for (int i = 0; i < 12; ++i) v.push_back(0.05 * c + 0.1 * s + 0.01 * ((i * 7) % 11));
      v.push_back(NAN);
      b.values.push_back(v);
    }
    series.push_back(b);
  }
  return series;
}

TEST(DivergingColormap, MapsMinusOneToBlueZeroToWhiteAndPlusOneToRed) {
  auto blue = diverging_rgb(-1), white = diverging_rgb(0), red = diverging_rgb(1);
  EXPECT_GT(blue[2], blue[0] + 100);
  EXPECT_GT(blue[2], blue[1] + 50);
  EXPECT_EQ(white, (std::array<uint8_t, 3>{255, 255, 255}));
  EXPECT_GT(red[0], red[1] + 100);
  EXPECT_GT(red[0], red[2] + 100);
  EXPECT_EQ(diverging_rgb(-7), blue);  // clamped
  EXPECT_EQ(diverging_rgb(NAN), white);
}

TEST(DivergingColormap, LightnessRisesTowardsZeroAndFallsAfter) {
  auto lightness = [](double v) {
    auto c = diverging_rgb(v);
    return c[0] + c[1] + c[2];
  };
  for (double v = -1; v < 0; v += 0.01) EXPECT_LE(lightness(v), lightness(v + 0.01)) << v;
  for (double v = 0; v < 1 - 1e-9; v += 0.01) EXPECT_GE(lightness(v), lightness(v + 0.01)) << v;
  // Blue only below zero, red only above.
  for (double v = -1; v < 0; v += 0.05) EXPECT_GE(diverging_rgb(v)[2], diverging_rgb(v)[0]);
  for (double v = 0.05; v <= 1; v += 0.05) EXPECT_GE(diverging_rgb(v)[0], diverging_rgb(v)[2]);
}

TEST(DivergingColormap, LookupTableHasTheRequestedSizeAndEnds) {
  auto lut = diverging_lut();
  ASSERT_EQ(lut.size(), 256u);
  EXPECT_EQ(lut.front(), diverging_rgb(-1));
  EXPECT_EQ(lut.back(), diverging_rgb(1));
  EXPECT_EQ(diverging_lut(3)[1], diverging_rgb(0));
  EXPECT_THROW(diverging_lut(1), Error);
}

TEST(DivergingColormap, SchemesListTheSameNineStops) {
  std::string scheme = diverging_scheme(), overlay = diverging_overlay_scheme(0.8);
  EXPECT_EQ(scheme.rfind("{x2166AC}", 0), 0u);
  EXPECT_NE(scheme.find("{xFFFFFF}"), std::string::npos);
  EXPECT_NE(overlay.find("{xFFFFFF00}"), std::string::npos);  // zero is transparent
  EXPECT_EQ(overlay.rfind("{x2166ACCC}", 0), 0u);             // 0.8 * 255 = 0xCC at -1
  EXPECT_THROW(diverging_overlay_scheme(1.5), Error);
}

TEST(PlotText, LiteralEscapesMathGlMarkupAndDecodesUtf8) {
  EXPECT_EQ(plot::literal("training_4 {a}^#\\"), L"training\\_4 \\{a\\}\\^\\#\\\\");
  EXPECT_EQ(plot::literal("0–0.4 α"), L"0\u20130.4 \u03b1");
  EXPECT_EQ(plot::literal("bad \xff byte"), L"bad ? byte");
}

TEST(BoxStats, QuartilesInterpolateAndWhiskersStopWithinOneAndAHalfIqr) {
  plot::BoxStats s = plot::box_stats({9, 1, 2, 3, 4, 5, 6, 7, 8, 100, NAN});
  EXPECT_EQ(s.n, 10u);
  EXPECT_DOUBLE_EQ(s.q1, 3.25);
  EXPECT_DOUBLE_EQ(s.median, 5.5);
  EXPECT_DOUBLE_EQ(s.q3, 7.75);
  EXPECT_DOUBLE_EQ(s.whisker_low, 1);
  EXPECT_DOUBLE_EQ(s.whisker_high, 9);
  EXPECT_EQ(s.outliers, std::vector<double>{100});
  EXPECT_EQ(plot::box_stats({NAN}).n, 0u);
}

TEST(Jitter, IsTheSameOnEveryCallAndStaysWithinItsWidth) {
  auto a = plot::jitter(500, 0.3, 7), b = plot::jitter(500, 0.3, 7), c = plot::jitter(500, 0.3, 8);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  for (double x : a) EXPECT_LE(std::abs(x), 0.3);
  EXPECT_GT(*std::max_element(a.begin(), a.end()), 0.25);
}

TEST(PlotBoxes, WritesPngOfTheRequestedSizeWithColouredBoxesAndAnSvg) {
  test::TempDir dir;
  auto categories = filters();
  plot_boxes(categories, three_series(categories.size()), "Inclusivity", "D(LRP, x)", true,
             dir / "boxes.png", 1000, 500);
  expect_png_and_svg(dir / "boxes.png", 1000, 500);
  EXPECT_GT(coloured_fraction(dir / "boxes.png"), 0.005);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 2);
}

TEST(PlotBoxes, EmptyOrAllNanInputRendersWithoutData) {
  test::TempDir dir;
  plot_boxes({}, {}, "nothing", "y", true, dir / "empty.png");
  expect_png_and_svg(dir / "empty.png", 1200, 600);
  EXPECT_EQ(coloured_fraction(dir / "empty.png"), 0);

  BoxSeries nan_only{"A", {{NAN, NAN}, {}}};
  plot_boxes({"raw", "pass"}, {nan_only}, "NaN only", "y", false, dir / "nan.png");
  expect_png_and_svg(dir / "nan.png", 1200, 600);
  EXPECT_EQ(coloured_fraction(dir / "nan.png"), 0);

  // Fewer value lists than categories: the missing ones are empty.
  BoxSeries short_series{"A", {{0.1, 0.2, 0.3}}};
  plot_boxes({"raw", "pass", "clamp"}, {short_series}, "short", "y", false, dir / "short.png");
  EXPECT_GT(coloured_fraction(dir / "short.png"), 0);
}

TEST(PlotBoxes, MissingDirectoryIsAnErrorNamingThePath) {
  test::TempDir dir;
  std::string path = dir / "no/such/dir/boxes.png";
  std::string message = test::error_of([&] { plot_boxes({"a"}, {}, "t", "y", false, path); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
}

TEST(PlotScatterBox, WritesPngAndSvgAndSurvivesNanAndEmptyCategories) {
  test::TempDir dir;
  std::vector<std::vector<double>> values = {{0.1, 0.12, NAN, 0.09}, {}, {0.3, 0.31, 0.5, -0.1}};
  plot_scatter_box({"raw", "pass 0–0.05", "pass 0–0.1"}, values, "Mean normalised signal",
                   "mean R_c / max|R|", dir / "scatter.png", 800, 400);
  expect_png_and_svg(dir / "scatter.png", 800, 400);
  EXPECT_GT(coloured_fraction(dir / "scatter.png"), 0.001);

  plot_scatter_box({}, {}, "empty", "y", dir / "empty.png");
  expect_png_and_svg(dir / "empty.png", 1200, 600);
  EXPECT_EQ(coloured_fraction(dir / "empty.png"), 0);
  EXPECT_THROW(plot_scatter_box({"a"}, {{1.0}}, "t", "y", dir / "nope/x.png"), Error);
}

TEST(PlotCurves, WritesTwoPanelsWithCurvesAndSkipsNanPoints) {
  test::TempDir dir;
  Curve loss{"A1", {1, 2, 3, 4, 5}, {1.0, 0.7, NAN, 0.4, 0.35}};
  Curve dice{"A1", {1, 2, 3, 4, 5}, {0.1, 0.3, 0.5, 0.6, 0.65}};
  Curve other{"X5", {1, 2, 3}, {0.2, 0.2, 0.25}};
  plot_curves({loss}, "loss", {dice, other}, "validation Dice", "epoch", dir / "curves.png");
  expect_png_and_svg(dir / "curves.png", 1200, 450);
  EXPECT_GT(coloured_fraction(dir / "curves.png"), 0.001);

  plot_curves({}, "loss", {Curve{"empty", {}, {}}}, "Dice", "epoch", dir / "empty.png");
  expect_png_and_svg(dir / "empty.png", 1200, 450);
  EXPECT_EQ(coloured_fraction(dir / "empty.png"), 0);
}

TEST(PlotCurves, MismatchedLengthsAreAnErrorNamingTheCurve) {
  test::TempDir dir;
  std::string message = test::error_of([&] {
    plot_curves({Curve{"model A1", {1, 2}, {1}}}, "loss", {}, "Dice", "epoch", dir / "c.png");
  });
  EXPECT_NE(message.find("model A1"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dir / "c.png"));
}

TEST(Plots, TooSmallACanvasIsAnError) {
  test::TempDir dir;
  EXPECT_THROW(plot_boxes({}, {}, "t", "y", false, dir / "a.png", 10, 10), Error);
}

}  // namespace
}  // namespace lrpseg
