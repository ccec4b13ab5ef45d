#pragma once
// Writes NIfTI files directly with nifticlib, independently of lrpseg's writer,
// so that the reader is tested against files it did not produce.
#include <nifti2_io.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace lrpseg::test {

struct RawNifti {
  std::vector<int64_t> dims;  // nx, ny, nz, ...
  int datatype = DT_FLOAT32;
  double slope = 0, inter = 0;
  int nifti_type = NIFTI_FTYPE_NIFTI1_1;
};

// An oblique, anisotropic geometry: qform (code 1) rotated about z with qfac -1,
// a different sform (code 2), millimetre/second units.
inline void set_test_geometry(nifti_image* nim) {
  nim->pixdim[1] = nim->dx = 0.9;
  nim->pixdim[2] = nim->dy = 0.8;
  nim->pixdim[3] = nim->dz = 5.0;
  nim->qfac = nim->pixdim[0] = -1;
  nim->quatern_b = 0;
  nim->quatern_c = 0;
  nim->quatern_d = 0.25;
  nim->qoffset_x = -90.5;
  nim->qoffset_y = 120.25;
  nim->qoffset_z = -30;
  nim->qform_code = NIFTI_XFORM_SCANNER_ANAT;
  nim->qto_xyz =
      nifti_quatern_to_dmat44(nim->quatern_b, nim->quatern_c, nim->quatern_d, nim->qoffset_x,
                              nim->qoffset_y, nim->qoffset_z, nim->dx, nim->dy, nim->dz, nim->qfac);
  nim->qto_ijk = nifti_dmat44_inverse(nim->qto_xyz);
  nim->sform_code = NIFTI_XFORM_ALIGNED_ANAT;
  const double s[4][4] = {{-0.9, 0.1, 0, 90}, {0, 0.8, 0.05, -126}, {0, 0, 5, -72}, {0, 0, 0, 1}};
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) nim->sto_xyz.m[r][c] = s[r][c];
  nim->sto_ijk = nifti_dmat44_inverse(nim->sto_xyz);
  nim->xyz_units = NIFTI_UNITS_MM;
  nim->time_units = NIFTI_UNITS_SEC;
}

// `bytes` are the voxels in the file's datatype, i fastest.
inline void write_raw_nifti(const std::string& path, const RawNifti& spec, const void* bytes) {
  nifti_set_debug_level(0);
  int64_t dims[8] = {int64_t(spec.dims.size()), 1, 1, 1, 1, 1, 1, 1};
  for (size_t k = 0; k < spec.dims.size(); ++k) dims[k + 1] = spec.dims[k];
  nifti_image* nim = nifti_make_new_nim(dims, spec.datatype, 1);
  set_test_geometry(nim);
  nim->scl_slope = spec.slope;
  nim->scl_inter = spec.inter;
  nim->nifti_type = spec.nifti_type;
  std::memcpy(nim->data, bytes, size_t(nim->nvox) * nim->nbyper);
  nifti_set_filenames(nim, path.c_str(), 0, 1);
  nifti_set_iname_offset(nim, spec.nifti_type == NIFTI_FTYPE_NIFTI2_1 ? 2 : 1);
  nifti_image_write(nim);
  nifti_image_free(nim);
}

template <typename T>
void write_raw_nifti(const std::string& path, const RawNifti& spec, const std::vector<T>& values) {
  write_raw_nifti(path, spec, static_cast<const void*>(values.data()));
}

// An int16 NIfTI-1 file in the other byte order, voxel n = n * 100 - 1000, written
// byte by byte since nifticlib only writes native order.
inline void write_big_endian_int16(const std::string& path, std::vector<int64_t> dims,
                                   double slope) {
  int64_t all[8] = {int64_t(dims.size()), 1, 1, 1, 1, 1, 1, 1};
  for (size_t k = 0; k < dims.size(); ++k) all[k + 1] = dims[k];
  nifti_image* nim = nifti_make_new_nim(all, DT_INT16, 1);
  nim->scl_slope = slope;
  auto* voxels = static_cast<int16_t*>(nim->data);
  for (int64_t n = 0; n < nim->nvox; ++n) voxels[n] = static_cast<int16_t>(n * 100 - 1000);
  nifti_1_header header;
  nifti_convert_nim2n1hdr(nim, &header);
  header.vox_offset = 352;
  std::memcpy(header.magic, "n+1", 4);
  swap_nifti_header(&header, 1);
  nifti_swap_Nbytes(nim->nvox, 2, voxels);
  FILE* f = std::fopen(path.c_str(), "wb");
  const char no_extension[4] = {0, 0, 0, 0};
  std::fwrite(&header, sizeof header, 1, f);
  std::fwrite(no_extension, 4, 1, f);
  std::fwrite(voxels, 2, size_t(nim->nvox), f);
  std::fclose(f);
  nifti_image_free(nim);
}

}  // namespace lrpseg::test
