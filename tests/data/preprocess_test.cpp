#include "data/preprocess.h"

#include <gtest/gtest.h>

#include "util/error.h"

namespace lrpseg {
namespace {

TEST(Preprocess, MinMaxScalesEachChannelToUnitRangeAndConstantToZero) {
  auto image = torch::stack({torch::arange(0, 8, torch::kFloat).reshape({2, 2, 2}) * 10 + 5,
                             torch::full({2, 2, 2}, 7.0f)});
  auto scaled = minmax_scale(image);
  EXPECT_FLOAT_EQ(scaled[0].min().item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(scaled[0].max().item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(scaled[0][0][0][1].item<float>(), 1.0f / 7.0f);
  EXPECT_EQ(scaled[1].abs().sum().item<float>(), 0.0f);
}

TEST(Preprocess, NearestResizePicksSourceVoxelsByFloor) {
  // Downsampling 4 → 2 along W takes voxels 0 and 2 (PyTorch "nearest").
  auto v = torch::arange(0, 4, torch::kFloat).reshape({1, 1, 1, 4});
  auto r = resize(v, {1, 1, 2}, Interpolation::Nearest);
  EXPECT_FLOAT_EQ(r[0][0][0][0].item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(r[0][0][0][1].item<float>(), 2.0f);
  // Upsampling 2 → 4 repeats each voxel twice.
  auto up = resize(r, {1, 1, 4}, Interpolation::Nearest);
  EXPECT_TRUE(torch::equal(up.flatten(), torch::tensor({0.0f, 0.0f, 2.0f, 2.0f})));
}

TEST(Preprocess, TrilinearResizeAveragesNeighbours) {
  auto v = torch::tensor({0.0f, 1.0f}).reshape({1, 1, 1, 2});
  auto r = resize(v, {1, 1, 4}, Interpolation::Trilinear);
  EXPECT_TRUE(torch::allclose(r.flatten(), torch::tensor({0.0f, 0.25f, 0.75f, 1.0f})));
}

TEST(Preprocess, LabelResizeKeepsBinaryValuesAndType) {
  auto label = (torch::rand({5, 9, 7}) > 0.5).to(torch::kUInt8);
  auto r = resize_label(label, {3, 4, 4});
  EXPECT_EQ(r.scalar_type(), torch::kUInt8);
  EXPECT_EQ(r.sizes(), (std::vector<int64_t>{3, 4, 4}));
  EXPECT_LE(r.max().item<int>(), 1);
}

TEST(Preprocess, PreprocessImageGivesNetworkSizeInUnitRange) {
  auto raw = torch::rand({6, 19, 30, 20}) * 1000 - 50;
  auto x = preprocess_image(raw, {{19, 48, 48}, Interpolation::Nearest});
  EXPECT_EQ(x.sizes(), (std::vector<int64_t>{6, 19, 48, 48}));
  EXPECT_GE(x.min().item<float>(), 0.0f);
  EXPECT_LE(x.max().item<float>(), 1.0f);
}

TEST(Preprocess, SizeParsingAcceptsDxHxWAndRejectsTheRest) {
  EXPECT_EQ(parse_size_dhw("19x48x48", "--size"), (std::array<int64_t, 3>{19, 48, 48}));
  for (const char* bad :
       {"19x48", "19x48x48x2", "19xx48", "0x48x48", "a", "19x48x", "-1x2x3", ""}) {
    EXPECT_THROW(parse_size_dhw(bad, "--size"), Error) << bad;
  }
  try {
    parse_size_dhw("19x4", "--size");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--size"), std::string::npos);
  }
}

}  // namespace
}  // namespace lrpseg
