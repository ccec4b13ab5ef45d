#pragma once
// How much of a relevance map falls on the lesion (issue 11, "localisation vs
// OT"): relevance mass accuracy and relevance rank accuracy (Arras et al.
// 2022) and the pointing game. Each works on one voxel map (D, H, W) — the
// relevance summed over channels — and a ground-truth mask of the same shape.
// A score is undefined (nullopt), never 0, where it cannot be computed.
#include <torch/torch.h>

#include <optional>

namespace lrpseg {

struct LocalisationScores {
  // Σ positive R inside OT / Σ positive R; undefined without OT voxels or
  // without positive relevance.
  std::optional<double> mass_accuracy;
  // Share of the |OT| highest-R voxels that lie inside OT (ties at the cut are
  // shared in proportion); undefined without OT voxels or for a constant map.
  std::optional<double> rank_accuracy;
  // 1 when the voxel of highest R lies in OT dilated by one voxel (3×3×3), else
  // 0; several maxima score their share inside. Undefined without OT voxels or
  // for a constant map.
  std::optional<double> pointing_game;
};

// relevance (C, D, H, W) → (D, H, W) float64: Σ over channels.
torch::Tensor voxel_relevance(const torch::Tensor& relevance);

// A binary mask (D, H, W) grown by `radius` voxels along every axis (a cube).
torch::Tensor dilate_mask(const torch::Tensor& mask, int64_t radius = 1);

// voxel_map and ot: (D, H, W); ot non-zero marks the lesion.
LocalisationScores localisation_scores(const torch::Tensor& voxel_map, const torch::Tensor& ot);

}  // namespace lrpseg
