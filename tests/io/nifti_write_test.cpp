#include <gtest/gtest.h>

#include <filesystem>

#include "error_of.h"
#include "io/nifti.h"
#include "raw_nifti.h"
#include "temp_dir.h"

namespace lrpseg::test {
namespace {

namespace fs = std::filesystem;

// A reference volume with the oblique test geometry on a 4x3x2 grid.
NiftiHeader reference_header(const TempDir& dir) {
  const std::string path = dir.file("reference.nii");
  write_raw_nifti(path, {{4, 3, 2}, DT_INT16, 2.0, 0.0}, std::vector<int16_t>(24, 7));
  return read_nifti_header(path);
}

void expect_same_geometry(const NiftiHeader& a, const NiftiHeader& b) {
  EXPECT_EQ(a.qform_code(), b.qform_code());
  EXPECT_EQ(a.sform_code(), b.sform_code());
  EXPECT_EQ(a.qform(), b.qform());
  EXPECT_EQ(a.sform(), b.sform());
  for (int k = 0; k < 4; ++k) EXPECT_EQ(a.pixdim()[k], b.pixdim()[k]) << "pixdim " << k;
  EXPECT_EQ(a.size_dhw(), b.size_dhw());
}

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(Nifti, WriteNifti_ThreeDKeepsReferenceGeometry) {
  TempDir dir;
  const NiftiHeader ref = reference_header(dir);
  const torch::Tensor data = torch::arange(24, torch::kFloat32).reshape({2, 3, 4}) * 0.5;
  for (const std::string name : {"out.nii", "out.nii.gz"}) {
    write_nifti(dir.file(name), data, ref, OutputType::Float32);
    const Volume back = read_nifti(dir.file(name));
    expect_same_geometry(back.header, ref);
    EXPECT_EQ(back.header.datatype(), DT_FLOAT32);
    EXPECT_TRUE(torch::equal(back.data, data));
  }
}

TEST(Nifti, WriteNifti_FourDKeepsReferenceGeometryAndChannels) {
  TempDir dir;
  const NiftiHeader ref = reference_header(dir);
  const torch::Tensor data = torch::rand({3, 2, 3, 4});
  write_nifti(dir.file("relevance.nii.gz"), data, ref, OutputType::Float32);
  const Volume back = read_nifti(dir.file("relevance.nii.gz"));
  ASSERT_EQ(back.data.sizes(), data.sizes());
  EXPECT_TRUE(torch::equal(back.data, data));
  EXPECT_EQ(back.header.dim()[4], 3);
  expect_same_geometry(back.header, ref);
}

TEST(Nifti, WriteNifti_Int16StoresRoundedQuotientWithSlope) {
  TempDir dir;
  const NiftiHeader ref = reference_header(dir);
  const torch::Tensor data = torch::linspace(-1, 1, 24).reshape({2, 3, 4});
  write_nifti(dir.file("i16.nii"), data, ref, OutputType::Int16, 0.001);
  const Volume back = read_nifti(dir.file("i16.nii"));
  EXPECT_EQ(back.header.datatype(), DT_INT16);
  EXPECT_FLOAT_EQ(back.header.scl_slope(), 0.001);
  EXPECT_EQ(back.header.scl_inter(), 0);
  EXPECT_LE((back.data - data).abs().max().item<float>(), 0.0005 + 1e-6);
  EXPECT_FLOAT_EQ(back.data[1][2][3].item<float>(), 1.0f);

  // Values beyond the int16 range are clamped, not wrapped.
  write_nifti(dir.file("clamped.nii"), torch::full({2, 3, 4}, 1e6), ref, OutputType::Int16);
  EXPECT_EQ(read_nifti(dir.file("clamped.nii")).data.max().item<float>(), 32767.f);
}

TEST(Nifti, WriteNifti_UInt8MaskRoundTripsWithDescripAndCalRange) {
  TempDir dir;
  const NiftiHeader ref = reference_header(dir);
  const torch::Tensor mask = (torch::arange(24).reshape({2, 3, 4}) % 3 == 0).to(torch::kUInt8);
  write_nifti(dir.file("mask.nii.gz"), mask, ref, OutputType::UInt8);
  const Volume back = read_nifti(dir.file("mask.nii.gz"));
  EXPECT_EQ(back.header.datatype(), DT_UINT8);
  EXPECT_TRUE(torch::equal(back.data, mask.to(torch::kFloat32)));
  const auto* nim = static_cast<const nifti_image*>(back.header.image.get());
  EXPECT_STREQ(nim->descrip, "lrpseg");
  EXPECT_EQ(nim->cal_min, 0);
  EXPECT_EQ(nim->cal_max, 1);
  EXPECT_EQ(back.header.intent_code(), NIFTI_INTENT_NONE);
  write_nifti(dir.file("label.nii.gz"), mask, ref, OutputType::Label);
  const Volume label = read_nifti(dir.file("label.nii.gz"));
  EXPECT_EQ(label.header.datatype(), DT_UINT8);
  EXPECT_EQ(label.header.intent_code(), NIFTI_INTENT_LABEL);
  EXPECT_TRUE(torch::equal(label.data, mask.to(torch::kFloat32)));
}

TEST(Nifti, WriteNifti_ShapeMismatchThrowsAndLeavesNoFile) {
  TempDir dir;
  const NiftiHeader ref = reference_header(dir);
  const std::string path = dir.file("bad.nii.gz");
  const std::string message = error_of([&] {
    write_nifti(path, torch::zeros({2, 3, 5}), ref, OutputType::Float32);
  });
  EXPECT_EQ(message.rfind(path, 0), 0u) << message;
  EXPECT_NE(message.find("2x3x5"), std::string::npos) << message;
  EXPECT_EQ(files_in(dir.path()), std::vector<std::string>{"reference.nii"});
}

TEST(Nifti, WriteNifti_FailedRenameRemovesTemporaryFile) {
  TempDir dir;
  const NiftiHeader ref = reference_header(dir);
  fs::create_directories(dir.path() / "taken.nii" / "inside");  // rename onto it fails
  const std::string path = dir.file("taken.nii");
  const std::string message = error_of([&] {
    write_nifti(path, torch::zeros({2, 3, 4}), ref, OutputType::Float32);
  });
  EXPECT_EQ(message.rfind(path, 0), 0u) << message;
  EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{"reference.nii", "taken.nii"}));
}

TEST(Nifti, WriteNifti_MissingDirectoryAndNanDataThrow) {
  TempDir dir;
  const NiftiHeader ref = reference_header(dir);
  const std::string nested = dir.file("no/such/dir/out.nii");
  EXPECT_NE(error_of([&] {
              write_nifti(nested, torch::zeros({2, 3, 4}), ref, OutputType::UInt8);
            }).find("does not exist"),
            std::string::npos);
  torch::Tensor nan = torch::zeros({2, 3, 4});
  nan[0][0][0] = NAN;
  EXPECT_NE(error_of([&] {
              write_nifti(dir.file("nan.nii"), nan, ref, OutputType::Float32);
            }).find("1 NaN"),
            std::string::npos);
  EXPECT_EQ(files_in(dir.path()), std::vector<std::string>{"reference.nii"});
}

TEST(Nifti, MakeNiftiHeader_IsScaledIdentityAtOriginAndSurvivesWriting) {
  TempDir dir;
  const NiftiHeader h = make_nifti_header({19, 48, 40}, {0.9, 1.1, 6.5}, {-10, 20.5, -3});
  EXPECT_EQ(h.size_dhw(), (std::array<int64_t, 3>{19, 48, 40}));
  EXPECT_EQ(nifti_dims_string(h), "40x48x19");
  EXPECT_EQ(h.qform_code(), 1);
  EXPECT_EQ(h.sform_code(), 1);
  const auto s = h.sform();
  EXPECT_NEAR(s[0][0], 0.9, 1e-6);
  EXPECT_NEAR(s[1][1], 1.1, 1e-6);
  EXPECT_NEAR(s[2][2], 6.5, 1e-6);
  EXPECT_EQ(s[0][1], 0);
  EXPECT_EQ(s[0][3], -10);
  EXPECT_EQ(s[1][3], 20.5);
  EXPECT_EQ(s[2][3], -3);
  EXPECT_EQ(h.qform(), s);

  write_nifti(dir.file("made.nii"), torch::zeros({19, 48, 40}), h, OutputType::UInt8);
  expect_same_geometry(read_nifti_header(dir.file("made.nii")), h);
}

}  // namespace
}  // namespace lrpseg::test
