// Occlusion (Zeiler & Fergus; Captum's Occlusion): each patch — of every channel
// at once, or of each channel in turn — is set to zero, and score(x) −
// score(occluded) is given to every voxel of the patch; voxels covered by
// several patches get the mean. Occluded copies go through the forward pass
// `batch` at a time; a patch that is already zero (background) changes nothing,
// so its drop is exactly 0 without a forward.
#include <algorithm>

#include "attribution/attribution.h"

namespace lrpseg {

namespace {

struct Window {
  int64_t channel;  // −1: all channels
  std::array<int64_t, 3> start;
};

// Window starts along one axis: every stride, plus one flush with the end so
// that the whole axis is covered.
std::vector<int64_t> starts(int64_t size, int64_t patch, int64_t stride) {
  std::vector<int64_t> s;
  for (int64_t i = 0; i + patch <= size; i += stride) s.push_back(i);
  if (s.empty() || s.back() + patch < size) s.push_back(size - patch);
  return s;
}

// The window's voxels of t (C, D, H, W).
torch::Tensor window_of(const torch::Tensor& t, const Window& w,
                        const std::array<int64_t, 3>& patch) {
  torch::Tensor v = w.channel >= 0 ? t.narrow(0, w.channel, 1) : t;
  for (int d = 0; d < 3; ++d) v = v.narrow(d + 1, w.start[d], patch[d]);
  return v;
}

}  // namespace

torch::Tensor occlusion(const Score& score, const torch::Tensor& x, const AttributionOptions& o) {
  const auto& patch = o.occlusion_patch;
  std::array<int64_t, 3> stride;
  for (int d = 0; d < 3; ++d)
    stride[d] = o.occlusion_stride[d] > 0 ? o.occlusion_stride[d] : patch[d];
  const auto sd = starts(x.size(2), patch[0], stride[0]);
  const auto sh = starts(x.size(3), patch[1], stride[1]);
  const auto sw = starts(x.size(4), patch[2], stride[2]);
  const int64_t channels = o.occlusion_channels == OcclusionChannels::All ? 1 : x.size(1);
  const torch::Tensor sample = x[0];
  torch::Tensor sum = torch::zeros_like(sample), count = torch::zeros_like(sample);
  std::vector<Window> windows;  // those whose occlusion changes the input
  for (int64_t c = 0; c < channels; ++c) {
    for (int64_t d : sd) {
      for (int64_t h : sh) {
        for (int64_t w : sw) {
          const Window window{channels == 1 ? -1 : c, {d, h, w}};
          window_of(count, window, patch).add_(1.0);
          if (window_of(sample, window, patch).ne(0).any().item<bool>()) windows.push_back(window);
        }
      }
    }
  }
  const double clean = windows.empty() ? 0.0 : score(x).item<double>();
  const auto batch = static_cast<size_t>(o.occlusion_batch());
  for (size_t first = 0; first < windows.size(); first += batch) {
    const size_t n = std::min(windows.size() - first, batch);
    torch::Tensor copies = x.expand({static_cast<int64_t>(n), -1, -1, -1, -1}).clone();
    for (size_t i = 0; i < n; ++i) window_of(copies[i], windows[first + i], patch).zero_();
    const torch::Tensor drops = (clean - score(copies)).cpu().to(torch::kDouble);
    for (size_t i = 0; i < n; ++i) {
      window_of(sum, windows[first + i], patch).add_(drops[i].item<double>());
    }
  }
  return (sum / count.clamp_min(1.0)).unsqueeze(0);
}

}  // namespace lrpseg
