#pragma once
// NIfTI-1/NIfTI-2 volumes (.nii, .nii.gz) read and written with nifticlib.
#include <torch/torch.h>

#include <array>
#include <memory>
#include <string>

namespace lrpseg {

// NIfTI datatypes lrpseg writes. Label: uint8 with NIFTI_INTENT_LABEL, for
// masks (viewers then show them as label maps).
enum class OutputType { UInt8, Label, Int16, Float32 };

// Header of a NIfTI file without its voxels: dims, pixdim, qform/sform, units.
// Outputs copy it so that they overlay on the input in ITK-SNAP, Slicer, FSLeyes.
struct NiftiHeader {
  std::shared_ptr<const void> image;  // nifti_image (nifti2_io.h) without data; opaque here

  std::array<int64_t, 8> dim() const;  // dim[0] = ndim, dim[1..] = nx, ny, nz, nt, ...
  std::array<double, 8> pixdim() const;
  int datatype() const;  // NIfTI code of the file's datatype (e.g. 4 = int16)
  // Spatial grid as a tensor shape (D, H, W) = (nz, ny, nx).
  std::array<int64_t, 3> size_dhw() const;
  std::array<std::array<double, 4>, 4> sform() const;
  std::array<std::array<double, 4>, 4> qform() const;
  int qform_code() const;
  int sform_code() const;
  double scl_slope() const;
  double scl_inter() const;
  int intent_code() const;  // e.g. NIFTI_INTENT_LABEL = 1002
  // Voxel (i, j, k, 1) → world (x, y, z, 1) in mm: the sform when sform_code > 0,
  // else the qform (nifticlib builds it from pixdim when qform_code is 0).
  std::array<std::array<double, 4>, 4> voxel_to_world() const;
  // Where the voxel axes i, j, k point in world space, e.g. "RAS" (NIfTI world
  // space is RAS+; nibabel's aff2axcodes).
  std::string orientation() const;
};

// Whether two headers place their voxels at the same world positions: the
// voxel_to_world affines agree within `tolerance_mm` entrywise (a rotation or
// scale difference of 1e-3 moves a voxel 100 voxels away by about 0.1 mm).
bool same_affine(const NiftiHeader& a, const NiftiHeader& b, double tolerance_mm = 1e-3);

// Lower-case name of a NIfTI datatype code, e.g. 4 -> "int16", 16 -> "float32".
std::string nifti_datatype_name(int datatype);

// NIfTI grid as written in messages, i fastest: "192x192x19x50".
std::string nifti_dims_string(const NiftiHeader& header);

// A NIfTI image in memory. Voxels are float32 with scl_slope/scl_inter applied,
// in C order with NIfTI's i index fastest: a 3-D file (nx, ny, nz) is a tensor
// (D, H, W) = (nz, ny, nx); a 4-D file (…, nt) is (nt, D, H, W), and so on.
struct Volume {
  torch::Tensor data;
  NiftiHeader header;
  std::string path;
};

// What a read does with NaN/Inf voxels: refuse the file (naming the counts),
// keep them (inspection: `lrpseg info` describes such a file), or set them to 0,
// the background value of the maps (--nan-to-num; perfusion maps often hold
// NaN outside the brain).
enum class NonFinite { Refuse, Keep, ToZero };

// Reads a .nii or .nii.gz file of any dimensionality (1..7) and of datatype
// uint8, int8, int16, uint16, int32, uint32, int64, float32 or float64.
// Throws lrpseg::Error naming the file for a missing, non-NIfTI or truncated
// file, an invalid header or magic string (ANALYZE 7.5 files are not read),
// an unsupported datatype, or NaN/Inf voxels under NonFinite::Refuse.
Volume read_nifti(const std::string& path, NonFinite non_finite = NonFinite::Refuse);

// Reads a volume that must be 3-D (trailing singleton dims are allowed);
// a 4-D/5-D file is rejected with a message naming the file and its dims.
Volume read_nifti_3d(const std::string& path, NonFinite non_finite = NonFinite::Refuse);

// Reads only the header (no voxel data).
NiftiHeader read_nifti_header(const std::string& path);

// Writes `data` — (D, H, W) for a 3-D volume or (C, D, H, W) for a 4-D one,
// whose (D, H, W) must equal reference.size_dhw() — with the reference's
// geometry (pixdim, qform, sform, units). scl_slope is set to 1 unless `slope`
// is given (int16 output stores round(value / slope)). The file is written to
// a temporary name in the same directory and renamed, so a failure leaves no
// partial file. `.nii.gz` paths are compressed.
void write_nifti(const std::string& path, const torch::Tensor& data, const NiftiHeader& reference,
                 OutputType type, double slope = 1.0);

// The reference's header for a resampled grid (D, H, W) covering the same field
// of view: pixdim and the qform/sform voxel axes are scaled, so a network-size
// volume overlays on the case it came from.
NiftiHeader resampled_header(const NiftiHeader& reference, std::array<int64_t, 3> size_dhw);

// A header for a new volume of the given grid, voxel spacing (mm, along i, j, k)
// and origin; qform and sform both set to the scaled-identity affine placed at
// `origin_mm`. Used by the synthetic generator and tests.
NiftiHeader make_nifti_header(std::array<int64_t, 3> size_dhw, std::array<double, 3> spacing_ijk,
                              std::array<double, 3> origin_mm = {0, 0, 0});

}  // namespace lrpseg
