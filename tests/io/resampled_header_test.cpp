#include <gtest/gtest.h>

#include "io/nifti.h"
#include "temp_dir.h"

namespace lrpseg::test {
namespace {

std::array<double, 3> world(const std::array<std::array<double, 4>, 4>& m, double i, double j,
                            double k) {
  return {m[0][0] * i + m[0][1] * j + m[0][2] * k + m[0][3],
          m[1][0] * i + m[1][1] * j + m[1][2] * k + m[1][3],
          m[2][0] * i + m[2][1] * j + m[2][2] * k + m[2][3]};
}

TEST(ResampledHeader, CoversTheSameFieldOfViewAndSurvivesAWrite) {
  // Grid (D, H, W) = (6, 8, 12), spacing (i, j, k) = (0.5, 1, 3) mm.
  NiftiHeader ref = make_nifti_header({6, 8, 12}, {0.5, 1.0, 3.0}, {-10, 20, 5});
  NiftiHeader net = resampled_header(ref, {3, 4, 4});
  EXPECT_EQ(net.size_dhw(), (std::array<int64_t, 3>{3, 4, 4}));
  EXPECT_DOUBLE_EQ(net.pixdim()[1], 1.5);  // W: 12 → 4
  EXPECT_DOUBLE_EQ(net.pixdim()[2], 2.0);  // H: 8 → 4
  EXPECT_DOUBLE_EQ(net.pixdim()[3], 6.0);  // D: 6 → 3
  // The outer corner of the first voxel is the same point in both grids.
  for (const auto& m : {net.sform(), net.qform()}) {
    auto a = world(m, -0.5, -0.5, -0.5);
    auto b = world(ref.sform(), -0.5, -0.5, -0.5);
    for (int d = 0; d < 3; ++d) EXPECT_NEAR(a[d], b[d], 1e-9);
    // And so is the outer corner of the last voxel.
    a = world(m, 3.5, 3.5, 2.5);
    b = world(ref.sform(), 11.5, 7.5, 5.5);
    for (int d = 0; d < 3; ++d) EXPECT_NEAR(a[d], b[d], 1e-9);
  }
  TempDir dir;
  write_nifti(dir.file("net.nii"), torch::zeros({2, 3, 4, 4}), net, OutputType::Float32);
  NiftiHeader back = read_nifti_header(dir.file("net.nii"));
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 4; ++c) EXPECT_NEAR(back.sform()[r][c], net.sform()[r][c], 1e-5);
  }
}

}  // namespace
}  // namespace lrpseg::test
