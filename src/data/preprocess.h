#pragma once
// Preprocessing of the paper (DESIGN.md §1): per-volume min-max scaling to
// [0, 1], resizing to the network size, and resizing predictions back.
#include <torch/torch.h>

#include <array>
#include <string>

namespace lrpseg {

enum class Interpolation { Nearest, Trilinear };

Interpolation parse_interpolation(const std::string& text, const std::string& option);
std::string to_string(Interpolation interpolation);

// "19x48x48" → {19, 48, 48}; an error names `option` when malformed or not positive.
std::array<int64_t, 3> parse_size_dhw(const std::string& text, const std::string& option);
std::string format_size_dhw(const std::array<int64_t, 3>& size_dhw);

// Scales each channel of (C, D, H, W) to [0, 1] by its own min and max; a
// constant channel becomes 0.
torch::Tensor minmax_scale(const torch::Tensor& image);

// Resizes (C, D, H, W) to (C, size_dhw). Nearest follows PyTorch's
// interpolate(mode="nearest"); trilinear uses align_corners=false.
torch::Tensor resize(const torch::Tensor& volume, const std::array<int64_t, 3>& size_dhw,
                     Interpolation interpolation);

// Nearest resizing from `from_dhw` to `to_dhw` as an index map: (to_dhw) int64,
// each voxel the flat index of the `from` voxel that resize(…, Nearest) copies
// into it. Gathering with it equals resizing, so statistics of a resized map
// can be computed on the small grid with per-voxel copy counts.
torch::Tensor nearest_index_map(const std::array<int64_t, 3>& from_dhw,
                                const std::array<int64_t, 3>& to_dhw);

// Resizes an integer label/prediction volume (D, H, W) with nearest sampling.
torch::Tensor resize_label(const torch::Tensor& label, const std::array<int64_t, 3>& size_dhw);

struct PreprocessOptions {
  std::array<int64_t, 3> size_dhw{19, 48, 48};
  Interpolation interpolation = Interpolation::Nearest;  // for inputs; labels are always nearest
};

// Raw case image (6, D, H, W) → network input (6, size_dhw) in [0, 1].
torch::Tensor preprocess_image(const torch::Tensor& raw, const PreprocessOptions& options);

// The brain of a network input (C, D, H, W): voxels where at least half of the
// channels are non-zero (ISLES perfusion maps are 0 outside the brain; ADC also
// shows the skull and scalp).
torch::Tensor brain_mask(const torch::Tensor& input);

}  // namespace lrpseg
