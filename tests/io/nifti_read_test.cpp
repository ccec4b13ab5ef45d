#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "error_of.h"
#include "io/nifti.h"
#include "raw_nifti.h"
#include "temp_dir.h"

namespace lrpseg::test {
namespace {

// Voxel (i, j, k) of a 4x3x2 grid holds T(i + 4j + 12k + offset).
template <typename T>
void expect_values_at_reversed_index(int datatype, double offset) {
  TempDir dir;
  const std::string path = dir.file("v.nii");
  std::vector<T> values(24);
  for (int n = 0; n < 24; ++n) values[n] = static_cast<T>(n + offset);
  write_raw_nifti(path, {{4, 3, 2}, datatype}, values);

  const Volume v = read_nifti(path);
  SCOPED_TRACE(nifti_datatype_name(datatype));
  EXPECT_EQ(v.data.scalar_type(), torch::kFloat32);
  ASSERT_EQ(v.data.sizes(), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(v.header.datatype(), datatype);
  auto a = v.data.accessor<float, 3>();
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 4; ++i)
        EXPECT_EQ(a[k][j][i], static_cast<float>(values[i + 4 * j + 12 * k]));
}

TEST(Nifti, ReadNifti_EveryDatatypeLandsAtReversedIndex) {
  expect_values_at_reversed_index<uint8_t>(DT_UINT8, 200);
  expect_values_at_reversed_index<int8_t>(DT_INT8, -12);
  expect_values_at_reversed_index<int16_t>(DT_INT16, -1000);
  expect_values_at_reversed_index<uint16_t>(DT_UINT16, 60000);
  expect_values_at_reversed_index<int32_t>(DT_INT32, -100000);
  expect_values_at_reversed_index<uint32_t>(DT_UINT32, 3000000000.0);
  expect_values_at_reversed_index<int64_t>(DT_INT64, -5);
  expect_values_at_reversed_index<float>(DT_FLOAT32, -0.25);
  expect_values_at_reversed_index<double>(DT_FLOAT64, 0.5);
}

TEST(Nifti, ReadNifti_AppliesSlopeAndIntercept) {
  TempDir dir;
  const std::string path = dir.file("scaled.nii");
  write_raw_nifti(path, {{3, 1, 1}, DT_INT16, 2.0, 1.0}, std::vector<int16_t>{-3, 0, 100});
  const Volume v = read_nifti(path);
  EXPECT_TRUE(torch::equal(v.data.flatten(), torch::tensor({-5.f, 1.f, 201.f})));
}

TEST(Nifti, ReadNifti_SlopeZeroMeansUnscaled) {
  TempDir dir;
  const std::string path = dir.file("unscaled.nii");
  write_raw_nifti(path, {{3, 1, 1}, DT_INT16, 0.0, 7.0}, std::vector<int16_t>{-3, 0, 100});
  EXPECT_TRUE(torch::equal(read_nifti(path).data.flatten(), torch::tensor({-3.f, 0.f, 100.f})));
}

TEST(Nifti, ReadNifti_ReadsGzipAndNifti2) {
  TempDir dir;
  const std::vector<float> values = {1, 2, 3, 4, 5, 6};
  write_raw_nifti(dir.file("a.nii.gz"), {{3, 2, 1}, DT_FLOAT32}, values);
  write_raw_nifti(dir.file("b.nii"), {{3, 2, 1}, DT_FLOAT32, 0, 0, NIFTI_FTYPE_NIFTI2_1}, values);
  const auto expected = torch::tensor(values).reshape({1, 2, 3});
  EXPECT_TRUE(torch::equal(read_nifti(dir.file("a.nii.gz")).data, expected));
  EXPECT_TRUE(torch::equal(read_nifti(dir.file("b.nii")).data, expected));
}

TEST(Nifti, ReadNifti_SwapsBigEndianFiles) {
  TempDir dir;
  const std::string path = dir.file("big_endian.nii");
  write_big_endian_int16(path, {4, 3, 2}, 2.0);
  const Volume v = read_nifti(path);
  ASSERT_EQ(v.data.sizes(), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(v.data[1][2][3].item<float>(), 2.0f * (23 * 100 - 1000));
}

TEST(Nifti, ReadNifti_FourDIsTimeFirst) {
  TempDir dir;
  std::vector<float> values(4 * 3 * 2 * 5);
  for (size_t n = 0; n < values.size(); ++n) values[n] = float(n);
  write_raw_nifti(dir.file("t.nii"), {{4, 3, 2, 5}, DT_FLOAT32}, values);
  const Volume v = read_nifti(dir.file("t.nii"));
  ASSERT_EQ(v.data.sizes(), (std::vector<int64_t>{5, 2, 3, 4}));
  EXPECT_EQ(v.data[4][1][2][3].item<float>(), float(3 + 4 * 2 + 12 * 1 + 24 * 4));
  EXPECT_EQ(v.header.dim()[0], 4);
  EXPECT_EQ((v.header.size_dhw()), (std::array<int64_t, 3>{2, 3, 4}));
}

TEST(Nifti, ReadNifti3d_DropsTrailingSingletonsAndPadsLowerDims) {
  TempDir dir;
  write_raw_nifti(dir.file("s.nii"), {{4, 3, 2, 1}, DT_UINT8}, std::vector<uint8_t>(24, 1));
  write_raw_nifti(dir.file("p.nii"), {{4, 3}, DT_UINT8}, std::vector<uint8_t>(12, 1));
  EXPECT_EQ(read_nifti_3d(dir.file("s.nii")).data.sizes(), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(read_nifti_3d(dir.file("p.nii")).data.sizes(), (std::vector<int64_t>{1, 3, 4}));
}

TEST(Nifti, ReadNifti3d_RejectsFourDNamingFileAndDims) {
  TempDir dir;
  const std::string path = dir.file("pwi.nii");
  write_raw_nifti(path, {{4, 3, 2, 5}, DT_INT16}, std::vector<int16_t>(120, 0));
  EXPECT_EQ(error_of([&] { read_nifti_3d(path); }),
            path + " is 4-D (4x3x2x5); a 3-D volume is required");
}

TEST(Nifti, ReadNiftiHeader_ReadsGeometryWithoutVoxels) {
  TempDir dir;
  const std::string path = dir.file("h.nii");
  write_raw_nifti(path, {{4, 3, 2}, DT_INT16}, std::vector<int16_t>(24, 0));
  const NiftiHeader h = read_nifti_header(path);
  EXPECT_EQ(h.datatype(), DT_INT16);
  EXPECT_EQ(h.qform_code(), 1);
  EXPECT_EQ(h.sform_code(), 2);
  EXPECT_FLOAT_EQ(h.pixdim()[3], 5.0);
  EXPECT_DOUBLE_EQ(h.sform()[0][3], 90);
  EXPECT_EQ(nifti_dims_string(h), "4x3x2");
}

TEST(Nifti, ReadNifti_MissingFileThrowsNamingIt) {
  TempDir dir;
  const std::string path = dir.file("absent.nii");
  const std::string message = error_of([&] { read_nifti(path); });
  EXPECT_EQ(message.rfind(path, 0), 0u) << message;
  EXPECT_NE(message.find("not found"), std::string::npos) << message;
}

TEST(Nifti, ReadNifti_TextFileIsNotNifti) {
  TempDir dir;
  const std::string path = dir.file("notes.nii");
  std::ofstream(path) << "these are not voxels\n";
  const std::string message = error_of([&] { read_nifti(path); });
  EXPECT_EQ(message.rfind(path, 0), 0u) << message;
  EXPECT_NE(message.find("not a NIfTI file"), std::string::npos) << message;
}

TEST(Nifti, ReadNifti_TruncatedFileThrows) {
  TempDir dir;
  for (const std::string name : {"t.nii", "t.nii.gz"}) {
    const std::string full = dir.file("full_" + name), cut = dir.file(name);
    std::vector<float> values(16 * 16 * 8);
    for (size_t n = 0; n < values.size(); ++n)
      values[n] = std::sin(float(n));  // poorly compressible
    write_raw_nifti(full, {{16, 16, 8}, DT_FLOAT32}, values);
    const auto size = std::filesystem::file_size(full);
    std::filesystem::copy_file(full, cut);
    std::filesystem::resize_file(cut, size - 100);
    const std::string message = error_of([&] { read_nifti(cut); });
    EXPECT_EQ(message.rfind(cut, 0), 0u) << message;
    EXPECT_NE(message.find("truncated"), std::string::npos) << message;
  }
}

TEST(Nifti, ReadNifti_NanVoxelsAreCounted) {
  TempDir dir;
  const std::string path = dir.file("nan.nii");
  write_raw_nifti(path, {{3, 1, 1}, DT_FLOAT32}, std::vector<float>{1, NAN, INFINITY});
  const std::string message = error_of([&] { read_nifti(path); });
  EXPECT_EQ(message.rfind(path, 0), 0u) << message;
  EXPECT_NE(message.find("1 NaN and 1 Inf"), std::string::npos) << message;
}

TEST(Nifti, ReadNifti_KeepsNonFiniteVoxelsForInspection) {
  TempDir dir;
  const std::string path = dir.file("nan.nii");
  write_raw_nifti(path, {{3, 1, 1}, DT_FLOAT32}, std::vector<float>{1, NAN, -INFINITY});
  const Volume v = read_nifti(path, NonFinite::Keep);
  EXPECT_EQ(v.data[0][0][0].item<float>(), 1.0f);
  EXPECT_TRUE(std::isnan(v.data[0][0][1].item<float>()));
  EXPECT_EQ(v.data[0][0][2].item<float>(), -INFINITY);
  const Volume zero = read_nifti(path, NonFinite::ToZero);
  EXPECT_TRUE(torch::equal(zero.data, torch::tensor({1.0f, 0.0f, 0.0f}).view({1, 1, 3})));
  EXPECT_NE(error_of([&] { read_nifti(path); }).find("--nan-to-num"), std::string::npos);
}

TEST(Nifti, ReadNifti_BrokenMagicIsRefusedNotReadAsAnalyze) {
  TempDir dir;
  const std::string path = dir.file("magic.nii");
  write_raw_nifti(path, {{2, 2, 1}, DT_FLOAT32}, std::vector<float>{1, 2, 3, 4});
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(344);  // NIfTI-1: magic[4] at byte 344
    f.write("xyz\0", 4);
  }
  const std::string message = error_of([&] { read_nifti(path); });
  EXPECT_EQ(message.rfind(path, 0), 0u) << message;
  EXPECT_NE(message.find("invalid NIfTI magic string 'xyz'"), std::string::npos) << message;
  EXPECT_NE(error_of([&] { read_nifti_header(path); }).find("magic"), std::string::npos);
}

TEST(Nifti, ReadNifti_UnsupportedDatatypeIsNamed) {
  TempDir dir;
  const std::string path = dir.file("complex.nii");
  write_raw_nifti(path, {{2, 1, 1}, DT_COMPLEX64}, std::vector<float>(4, 0));
  const std::string message = error_of([&] { read_nifti(path); });
  EXPECT_EQ(message.rfind(path, 0), 0u) << message;
  EXPECT_NE(message.find("unsupported datatype complex64"), std::string::npos) << message;
}

TEST(Nifti, ReadNifti_InvalidDimsAreReported) {
  TempDir dir;
  const std::string path = dir.file("zero.nii");
  write_raw_nifti(path, {{2, 2, 2}, DT_UINT8}, std::vector<uint8_t>(8, 0));
  {  // dim[2] (a short at byte 40 + 2 * 2 of the NIfTI-1 header) := 0
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(44);
    const int16_t zero = 0;
    f.write(reinterpret_cast<const char*>(&zero), 2);
  }
  const std::string message = error_of([&] { read_nifti(path); });
  EXPECT_EQ(message.rfind(path, 0), 0u) << message;
  EXPECT_NE(message.find("invalid dimensions"), std::string::npos) << message;
}

}  // namespace
}  // namespace lrpseg::test
