#include "io/nifti_summary.h"

#include <gtest/gtest.h>

#include "raw_nifti.h"
#include "temp_dir.h"

namespace lrpseg::test {
namespace {

TEST(NiftiSummary, ListsHeaderFieldsAndScaledStatistics) {
  TempDir dir;
  const std::string path = dir.file("adc.nii");
  write_raw_nifti(path, {{2, 2, 1}, DT_INT16, 2.0, 1.0}, std::vector<int16_t>{0, 1, 2, 5});
  const nlohmann::json s = nifti_summary(read_nifti(path));
  EXPECT_EQ(s["path"], path);
  EXPECT_EQ(s["dims"], nlohmann::json({2, 2, 1}));
  EXPECT_EQ(s["datatype"], "int16");
  EXPECT_NEAR(s["pixdim"][2].get<double>(), 5.0, 1e-6);
  EXPECT_EQ(s["qform_code"], 1);
  EXPECT_EQ(s["sform_code"], 2);
  EXPECT_EQ(s["sform"][0][3], 90.0);
  EXPECT_EQ(s["qform"].size(), 4u);
  EXPECT_EQ(s["scl_slope"], 2.0);
  EXPECT_EQ(s["scl_inter"], 1.0);
  EXPECT_EQ(s["min"], 1.0);
  EXPECT_EQ(s["max"], 11.0);
  EXPECT_DOUBLE_EQ(s["mean"].get<double>(), (1 + 3 + 5 + 11) / 4.0);
  EXPECT_EQ(s["nan_voxels"], 0);
  // The test geometry's sform: i runs toward −x (left), j toward +y, k toward +z.
  EXPECT_EQ(s["orientation"], "LAS");
  EXPECT_EQ(s["intent_code"], 0);
}

TEST(NiftiSummary, DescribesNonFiniteVoxelsAndFiniteStatistics) {
  TempDir dir;
  const std::string path = dir.file("nan.nii");
  write_raw_nifti(path, {{4, 1, 1}, DT_FLOAT32}, std::vector<float>{2, NAN, NAN, INFINITY});
  const nlohmann::json s = nifti_summary(read_nifti(path, NonFinite::Keep));
  EXPECT_EQ(s["nan_voxels"], 2);
  EXPECT_EQ(s["inf_voxels"], 1);
  EXPECT_EQ(s["min"], 2.0);
  EXPECT_EQ(s["max"], 2.0);
  write_raw_nifti(path, {{1, 1, 1}, DT_FLOAT32}, std::vector<float>{NAN});
  EXPECT_TRUE(nifti_summary(read_nifti(path, NonFinite::Keep))["mean"].is_null());
}

}  // namespace
}  // namespace lrpseg::test
