#include "report/display_orientation.h"

#include <gtest/gtest.h>

#include "util/error.h"

namespace lrpseg {
namespace {

// Volume (D, H, W) = (k, j, i) of zeros with a 1 at voxel (k, j, i).
torch::Tensor marker(std::array<int64_t, 3> size_kji, std::array<int64_t, 3> at_kji) {
  auto v = torch::zeros({size_kji[0], size_kji[1], size_kji[2]});
  v[at_kji[0]][at_kji[1]][at_kji[2]] = 1;
  return v;
}

// Where the single 1 of a display-order volume is: (slice, row, column).
std::array<int64_t, 3> position_of(const torch::Tensor& shown) {
  auto index = shown.flatten().argmax().item<int64_t>();
  const int64_t rows = shown.size(1), columns = shown.size(2);
  return {index / (rows * columns), index / columns % rows, index % columns};
}

// In the radiological convention the patient's right-anterior-superior corner is at the top left
// of the last (most superior) slice, whatever the voxel order; in the neurological one it is at
// the top right.
TEST(DisplayOrientation, TheRightAnteriorSuperiorCornerLandsWhereEachConventionPutsIt) {
  struct Case {
    std::string axes;                   // where i, j, k point
    std::array<int64_t, 3> size_kji;    // tensor shape
    std::array<int64_t, 3> corner_kji;  // the voxel nearest right-anterior-superior
  };
  const std::vector<Case> cases = {
      {"RAS", {3, 4, 5}, {2, 3, 4}},  // i to the right, j anterior, k superior: all maxima
      {"LPS", {3, 4, 5}, {2, 0, 0}},  // DICOM/ITK order: right and anterior at index 0
      {"LAS", {3, 4, 5}, {2, 3, 0}},  // FSL's radiological storage
      {"RAI", {3, 4, 5}, {0, 3, 4}},  // slices stored top down
      {"PIR", {5, 3, 4}, {4, 0, 0}},  // sagittal: i posterior, j inferior, k right
  };
  for (const auto& c : cases) {
    const auto volume = marker(c.size_kji, c.corner_kji);
    const auto radiological = display_orientation(c.axes, DisplayConvention::Radiological);
    const auto shown = to_display(volume, radiological);
    ASSERT_EQ(shown.dim(), 3) << c.axes;
    const auto at = position_of(shown);
    EXPECT_EQ(at[0], shown.size(0) - 1) << c.axes << ": superior is the last slice";
    EXPECT_EQ(at[1], 0) << c.axes << ": anterior at the top";
    EXPECT_EQ(at[2], 0) << c.axes << ": the patient's right on the image's left";
    EXPECT_EQ(radiological.left, "R");
    EXPECT_EQ(radiological.right, "L");
    EXPECT_EQ(radiological.top, "A");
    EXPECT_EQ(radiological.bottom, "P");
    EXPECT_EQ(radiological.convention, "radiological");
    EXPECT_EQ(radiological.file_axes, c.axes);

    const auto neurological = display_orientation(c.axes, DisplayConvention::Neurological);
    const auto shown_n = to_display(volume, neurological);
    EXPECT_EQ(position_of(shown_n)[2], shown_n.size(2) - 1) << c.axes << ": right on the right";
    EXPECT_EQ(position_of(shown_n)[1], 0) << c.axes;
    EXPECT_EQ(neurological.left, "L");
    EXPECT_EQ(neurological.right, "R");

    // The inverse map finds the marker's voxel from its display position.
    EXPECT_EQ(voxel_at_display(at, c.size_kji, radiological), c.corner_kji) << c.axes;
    EXPECT_EQ(voxel_at_display(position_of(shown_n), c.size_kji, neurological), c.corner_kji)
        << c.axes;
  }
}

TEST(DisplayOrientation, SagittalStorageIsResliced) {
  // i posterior, j inferior, k right: tensor (k, j, i) shows as (j, i, k) = (slice, row, column).
  const auto o = display_orientation("PIR", DisplayConvention::Radiological);
  EXPECT_EQ(o.axis, (std::array<int64_t, 3>{1, 2, 0}));
  EXPECT_EQ(o.flip, (std::array<bool, 3>{true, false, true}));
  EXPECT_EQ(to_display(torch::zeros({5, 3, 4}), o).sizes(), (std::vector<int64_t>{3, 4, 5}));
}

TEST(DisplayOrientation, LeadingDimensionsAreKept) {
  const auto o = display_orientation("RAS", DisplayConvention::Radiological);
  auto v = torch::arange(2 * 3 * 4 * 5, torch::kFloat).reshape({2, 3, 4, 5});
  auto shown = to_display(v, o);
  ASSERT_EQ(shown.sizes(), v.sizes());
  EXPECT_TRUE(torch::equal(shown[1], to_display(v[1], o)));
  // RAS shown radiologically: rows and columns reversed, slices kept.
  EXPECT_TRUE(torch::equal(shown[1], v[1].flip({1, 2})));
}

TEST(DisplayOrientation, WithoutThreeAnatomicalAxesTheVoxelOrderIsKeptUnlabelled) {
  for (const std::string axes : {"", "RAR", "??S", "RA"}) {
    const auto o = display_orientation(axes, DisplayConvention::Radiological);
    EXPECT_FALSE(o.anatomical()) << axes;
    EXPECT_EQ(o.convention, "voxel order");
    EXPECT_EQ(o.left, "");
    auto v = torch::rand({2, 3, 4});
    EXPECT_TRUE(torch::equal(to_display(v, o), v)) << axes;
  }
  EXPECT_FALSE(display_orientation(NiftiHeader{}, DisplayConvention::Radiological).anatomical());
}

TEST(DisplayOrientation, AHeaderIsReadThroughItsAffine) {
  // make_nifti_header writes a scaled identity: RAS.
  const auto o =
      display_orientation(make_nifti_header({3, 4, 5}, {1, 1, 2}), DisplayConvention::Radiological);
  EXPECT_EQ(o.file_axes, "RAS");
  EXPECT_EQ(o.flip, (std::array<bool, 3>{false, true, true}));
}

TEST(DisplayOrientation, ConventionNamesAreParsedAndOthersRefusedByOption) {
  EXPECT_EQ(parse_display_convention("radiological", "--display"), DisplayConvention::Radiological);
  EXPECT_EQ(parse_display_convention("neurological", "--display"), DisplayConvention::Neurological);
  try {
    parse_display_convention("RAS", "--display");
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--display 'RAS'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(to_display(torch::zeros({3, 4}), display_orientation("RAS", {})), Error);
}

}  // namespace
}  // namespace lrpseg
