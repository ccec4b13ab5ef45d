#pragma once
// How a volume is put on screen: Figure 1 and the report's viewer show axial slices, anterior at
// the top, in the radiological (patient's right on the left of the image) or neurological (left
// on the left) convention, read from the NIfTI affine rather than from the voxel order, so a
// scan stored as LPS, RAS or sagittally looks the same.
#include <torch/torch.h>

#include <array>
#include <string>

#include "io/nifti.h"

namespace lrpseg {

enum class DisplayConvention { Radiological, Neurological };

// "radiological" or "neurological"; a UsageError names `option` otherwise.
DisplayConvention parse_display_convention(const std::string& text, const std::string& option);
std::string display_convention_name(DisplayConvention convention);

// A volume (D, H, W) = (k, j, i) in display order (slice, row, column): tensor dimension
// `axis[a]` becomes display axis a, then flipped where `flip[a]`. Slices run inferior to
// superior, rows anterior to posterior, columns right to left (radiological) or left to right.
struct DisplayOrientation {
  std::array<int64_t, 3> axis{0, 1, 2};
  std::array<bool, 3> flip{false, false, false};
  std::string convention;  // "radiological", "neurological", or "voxel order" without an affine
  std::string file_axes;   // where the file's voxel axes i, j, k point, e.g. "RAS"
  // The patient directions at the image's left, right, top and bottom edges ("R", "L", "A", "P");
  // empty in voxel order.
  std::string left, right, top, bottom;

  bool anatomical() const { return !left.empty(); }
};

// From the axis codes of NiftiHeader::orientation() (i, j, k). Codes that do not name three
// different anatomical axes (no affine) give the voxel order without labels.
DisplayOrientation display_orientation(const std::string& file_axes, DisplayConvention convention);

// The same from a case's header; a header without an image (no geometry) gives the voxel order.
DisplayOrientation display_orientation(const NiftiHeader& geometry, DisplayConvention convention);

// `volume` (..., D, H, W) in display order.
torch::Tensor to_display(const torch::Tensor& volume, const DisplayOrientation& o);

// The voxel (z, y, x) of the file's grid of size `size_dhw` at display position
// (slice, row, column).
std::array<int64_t, 3> voxel_at_display(const std::array<int64_t, 3>& display_position,
                                        const std::array<int64_t, 3>& size_dhw,
                                        const DisplayOrientation& o);

}  // namespace lrpseg
