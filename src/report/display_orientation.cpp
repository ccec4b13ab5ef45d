#include "report/display_orientation.h"

#include "util/error.h"

namespace lrpseg {
namespace {

// Display axis of a direction code (0 slice: S/I, 1 row: A/P, 2 column: L/R), -1 for none.
int display_axis_of(char code) {
  switch (code) {
    case 'S':
    case 'I':
      return 0;
    case 'A':
    case 'P':
      return 1;
    case 'L':
    case 'R':
      return 2;
    default:
      return -1;
  }
}

}  // namespace

DisplayConvention parse_display_convention(const std::string& text, const std::string& option) {
  if (text == "radiological") return DisplayConvention::Radiological;
  if (text == "neurological") return DisplayConvention::Neurological;
  throw UsageError(option + " '" + text + "': expected radiological or neurological");
}

std::string display_convention_name(DisplayConvention convention) {
  return convention == DisplayConvention::Radiological ? "radiological" : "neurological";
}

DisplayOrientation display_orientation(const std::string& file_axes, DisplayConvention convention) {
  DisplayOrientation o;
  o.file_axes = file_axes;
  o.convention = "voxel order";
  if (file_axes.size() != 3) return o;
  // file_axes names i, j, k; the tensor's dimensions are (k, j, i).
  std::array<int64_t, 3> axis{-1, -1, -1};
  for (int64_t dim = 0; dim < 3; ++dim) {
    const char code = file_axes[static_cast<size_t>(2 - dim)];
    const int a = display_axis_of(code);
    if (a < 0 || axis[a] >= 0) return o;  // not three different anatomical axes
    axis[a] = dim;
  }
  const bool radiological = convention == DisplayConvention::Radiological;
  // Where each display axis must point as its index grows.
  const std::array<char, 3> towards{'S', 'P', radiological ? 'L' : 'R'};
  for (int a = 0; a < 3; ++a) {
    const char code = file_axes[static_cast<size_t>(2 - axis[a])];
    o.flip[a] = code != towards[a];
  }
  o.axis = axis;
  o.convention = display_convention_name(convention);
  o.left = radiological ? "R" : "L";
  o.right = radiological ? "L" : "R";
  o.top = "A";
  o.bottom = "P";
  return o;
}

DisplayOrientation display_orientation(const NiftiHeader& geometry, DisplayConvention convention) {
  if (!geometry.image) return display_orientation(std::string(), convention);
  return display_orientation(geometry.orientation(), convention);
}

torch::Tensor to_display(const torch::Tensor& volume, const DisplayOrientation& o) {
  if (!volume.defined() || volume.dim() < 3) {
    throw Error("to_display: expected a volume (..., D, H, W)");
  }
  const int64_t lead = volume.dim() - 3;
  std::vector<int64_t> order;
  for (int64_t d = 0; d < lead; ++d) order.push_back(d);
  for (int a = 0; a < 3; ++a) order.push_back(lead + o.axis[a]);
  torch::Tensor t = volume.permute(order);
  std::vector<int64_t> flipped;
  for (int a = 0; a < 3; ++a) {
    if (o.flip[a]) flipped.push_back(lead + a);
  }
  return flipped.empty() ? t : t.flip(flipped);
}

std::array<int64_t, 3> voxel_at_display(const std::array<int64_t, 3>& display_position,
                                        const std::array<int64_t, 3>& size_dhw,
                                        const DisplayOrientation& o) {
  std::array<int64_t, 3> voxel{};
  for (int a = 0; a < 3; ++a) {
    const int64_t size = size_dhw[static_cast<size_t>(o.axis[a])];
    const int64_t p = display_position[static_cast<size_t>(a)];
    voxel[static_cast<size_t>(o.axis[a])] = o.flip[a] ? size - 1 - p : p;
  }
  return voxel;
}

}  // namespace lrpseg
