#include "report/figure1.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "error_of.h"
#include "report/figure1_draw.h"
#include "report/plot_canvas.h"
#include "temp_dir.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;

// A synthetic case: a bright disc (the "brain") with a lesion at the top left; relevance +1 on
// the top half of the rows and -1 on the bottom half.
Figure1Data synthetic(int64_t h = 40, int64_t w = 32) {
  Figure1Data d;
  d.title = "case training_4, rCBF, slice 9 — model A1";
  auto yy = torch::arange(h, torch::kFloat).unsqueeze(1).expand({h, w});
  auto xx = torch::arange(w, torch::kFloat).unsqueeze(0).expand({h, w});
  auto brain = ((yy - h / 2).pow(2) / (h * h / 5.0) + (xx - w / 2).pow(2) / (w * w / 5.0)) < 1;
  d.modality_slice = brain.to(torch::kFloat) * 50 + xx;
  d.ground_truth = ((yy - h / 4).pow(2) + (xx - w / 4).pow(2) < 16).to(torch::kFloat);
  d.prediction = ((yy - h / 4 - 1).pow(2) + (xx - w / 4).pow(2) < 16).to(torch::kFloat);
  d.dice = 0.769;
  auto halves = torch::where(yy < h / 2, torch::ones({h, w}), -torch::ones({h, w}));
  for (std::string name : {"raw", "pass 0–0.4", "clamp 0–0.2"}) {
    d.relevance_titles.push_back(name);
    d.relevance.push_back(halves * 1241.89);
    d.max_abs.push_back(1241.89);
  }
  return d;
}

struct Centroids {
  double red_y = 0, blue_y = 0;
  size_t red = 0, blue = 0;
};

// Mean row of clearly red and clearly blue pixels over the whole figure.
Centroids colour_centroids(const std::string& png) {
  plot::RgbImage image = plot::read_png_rgb(png);
  Centroids c;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      auto p = image.at(x, y);
      if (p[0] > 140 && p[1] < 90 && p[2] < 90) c.red_y += y, ++c.red;
      if (p[2] > 140 && p[0] < 90) c.blue_y += y, ++c.blue;
    }
  }
  if (c.red) c.red_y /= c.red;
  if (c.blue) c.blue_y /= c.blue;
  return c;
}

TEST(Figure1, WritesPngOfTheRequestedSizeAndAnSvg) {
  test::TempDir dir;
  render_figure1(synthetic(), dir / "fig.png", 900, 600);
  plot::PngSize size = plot::read_png_size(dir / "fig.png");
  EXPECT_EQ(size.width, 900);
  EXPECT_EQ(size.height, 600);
  EXPECT_TRUE(fs::exists(dir / "fig.svg"));
  EXPECT_GT(fs::file_size(dir / "fig.svg"), 1000u);
}

TEST(Figure1, DrawsTensorRowZeroAtTheTop) {
  // The positive (red) half is rows 0..H/2; drawn upside down it would sit below the blue one.
  // The colour bars, red on top, are small against the maps.
  test::TempDir dir;
  render_figure1(synthetic(), dir / "fig.png");
  Centroids c = colour_centroids(dir / "fig.png");
  ASSERT_GT(c.red, 1000u);
  ASSERT_GT(c.blue, 1000u);
  EXPECT_LT(c.red_y + 20, c.blue_y);
}

TEST(Figure1, ZeroRelevanceLeavesNoColour) {
  // Normalisation and colormap together: all-zero maps are white, and in the overlays the slice
  // shows through unchanged.
  test::TempDir dir;
  Figure1Data d = synthetic();
  for (auto& r : d.relevance) r = torch::zeros_like(r);
  d.max_abs.clear();
  render_figure1(d, dir / "fig.png");
  Centroids c = colour_centroids(dir / "fig.png");
  EXPECT_LT(c.red + c.blue, 0.01 * 1500 * 1000);  // only the colour bars
  EXPECT_GT(c.red + c.blue, 0u);
}

// Pixels that differ between two renders of the same size, and how many of them are white.
struct Changes {
  size_t changed = 0, now_white = 0, now_black = 0;
};
Changes changes(const std::string& before_png, const std::string& after_png) {
  plot::RgbImage before = plot::read_png_rgb(before_png), after = plot::read_png_rgb(after_png);
  Changes c;
  for (int y = 0; y < after.height; ++y) {
    for (int x = 0; x < after.width; ++x) {
      auto a = after.at(x, y);
      if (a == before.at(x, y)) continue;
      ++c.changed;
      if (a[0] > 240 && a[1] > 240 && a[2] > 240) ++c.now_white;
      if (a[0] < 60 && a[1] < 60 && a[2] < 60) ++c.now_black;
    }
  }
  return c;
}

TEST(Figure1, EdgeLabelsAreDrawnOnEveryImage) {
  // Nine images, four letters each: black strokes on white boxes.
  test::TempDir dir;
  Figure1Data d = synthetic();
  render_figure1(d, dir / "plain.png");
  d.edge_labels = {"R", "L", "A", "P"};
  render_figure1(d, dir / "labelled.png");
  const Changes c = changes(dir / "plain.png", dir / "labelled.png");
  EXPECT_GT(c.now_black, 9u * 4u * 10u) << c.changed;
  EXPECT_GT(c.now_white, 9u * 4u * 20u) << c.changed;
  EXPECT_LT(c.changed, 1500u * 1000u / 20u);  // small marks, not a redrawn figure
}

TEST(Figure1, RendersWithoutGroundTruthAndWithoutRelevance) {
  test::TempDir dir;
  Figure1Data d = synthetic();
  d.ground_truth = torch::Tensor();
  d.dice = -1;
  render_figure1(d, dir / "no_gt.png");
  EXPECT_TRUE(fs::exists(dir / "no_gt.png"));
  d.relevance.clear();
  d.relevance_titles.clear();
  d.max_abs.clear();
  render_figure1(d, dir / "no_rel.png");
  EXPECT_TRUE(fs::exists(dir / "no_rel.svg"));
}

TEST(Figure1, LargeSlicesKeepTheSvgSmall) {
  test::TempDir dir;
  render_figure1(synthetic(256, 256), dir / "big.png");
  EXPECT_EQ(plot::read_png_size(dir / "big.png").width, 1500);
  EXPECT_LT(fs::file_size(dir / "big.svg"), 20u << 20);
}

TEST(Figure1, MismatchedShapesOrCountsAreErrorsNamingThePath) {
  test::TempDir dir;
  std::string path = dir / "fig.png";
  Figure1Data d = synthetic();
  d.prediction = torch::zeros({8, 8});
  EXPECT_NE(test::error_of([&] { render_figure1(d, path); }).find(path), std::string::npos);
  d = synthetic();
  d.relevance_titles.pop_back();
  EXPECT_NE(test::error_of([&] { render_figure1(d, path); }).find("titles"), std::string::npos);
  d = synthetic();
  d.modality_slice = torch::zeros({4, 4, 4});
  EXPECT_NE(test::error_of([&] { render_figure1(d, path); }).find("(H, W)"), std::string::npos);
  EXPECT_FALSE(fs::exists(path));
}

TEST(Figure1, MissingDirectoryIsAnErrorNamingThePath) {
  test::TempDir dir;
  std::string path = dir / "missing/fig.png";
  std::string message = test::error_of([&] { render_figure1(synthetic(), path); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
}

TEST(BlockMean, AveragesBlocksSoThatBothSidesFit) {
  plot::Image image{4, 6, {1, 1, 2, 2, 3,   3,  //
                           1, 1, 2, 2, 3,   3,  //
                           5, 5, 6, 6, NAN, 7,  //
                           5, 5, 6, 6, 7,   7}};
  plot::Image small = plot::block_mean(image, 3);
  ASSERT_EQ(small.height, 2);
  ASSERT_EQ(small.width, 3);
  EXPECT_EQ(small.values, (std::vector<double>{1, 2, 3, 5, 6, 7}));
  plot::Image same = plot::block_mean(image, 6);
  EXPECT_EQ(same.height, 4);
  EXPECT_EQ(same.width, 6);
}

}  // namespace
}  // namespace lrpseg
