#pragma once
// The paper's normalised relevance signal (Tjoa et al. eq. 3, Fig. 5 D1):
// per channel c, <W_c> = mean over voxels of R_c / max|R|, and its area
// variant A[W_c] = the sum over voxels instead of the mean.
#include <torch/torch.h>

namespace lrpseg {

struct ChannelSignal {
  torch::Tensor mean;  // (C) float64
  torch::Tensor area;  // (C) float64
};

// relevance (C, ...). max|R| is taken over all channels (the paper normalises
// one 6-modality relevance map by one maximum), or per channel when
// per_channel_max. A map (or channel) with max|R| == 0 has signal 0.
// With `copies` (voxels,) float64, the signal of the map in which voxel v
// appears copies[v] times (a nearest-resized map, counted on its source grid):
// sums are weighted by copies and the mean divides by Σ copies; voxels with no
// copies must be 0 in `relevance`, so that they do not set the maximum.
ChannelSignal normalised_signal(const torch::Tensor& relevance, bool per_channel_max = false,
                                const torch::Tensor& copies = {});

}  // namespace lrpseg
