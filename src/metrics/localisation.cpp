#include "metrics/localisation.h"

#include "util/error.h"

namespace lrpseg {

torch::Tensor voxel_relevance(const torch::Tensor& relevance) {
  if (relevance.dim() != 4) throw Error("voxel_relevance: expects (C, D, H, W)");
  return relevance.sum(0, false, torch::kDouble);
}

torch::Tensor dilate_mask(const torch::Tensor& mask, int64_t radius) {
  if (mask.dim() != 3) throw Error("dilate_mask: expects (D, H, W)");
  if (radius <= 0) return mask.ne(0);
  const int64_t k = 2 * radius + 1;
  const torch::Tensor grown =
      torch::max_pool3d(mask.ne(0).to(torch::kFloat).unsqueeze(0).unsqueeze(0), {k, k, k},
                        {1, 1, 1}, {radius, radius, radius});
  return grown.squeeze(0).squeeze(0).gt(0);
}

namespace {

// Share of the top `count` voxels of `values` that are inside, the voxels tied
// with the last one taken in proportion (so the order of equal values does not matter).
double top_share_inside(const torch::Tensor& values, const torch::Tensor& inside, int64_t count) {
  const auto sorted = values.sort(0, /*descending=*/true);
  const torch::Tensor v = std::get<0>(sorted);
  const torch::Tensor in = inside.index_select(0, std::get<1>(sorted)).to(torch::kDouble);
  const double cut = v[count - 1].item<double>();
  const torch::Tensor above = v.gt(cut), tied = v.eq(cut);
  const double above_count = above.sum().item<double>();
  const double tied_count = tied.sum().item<double>();
  const double tied_inside = (in * tied).sum().item<double>();
  const double taken_from_tie = static_cast<double>(count) - above_count;
  return ((in * above).sum().item<double>() + taken_from_tie * tied_inside / tied_count) /
         static_cast<double>(count);
}

}  // namespace

LocalisationScores localisation_scores(const torch::Tensor& voxel_map, const torch::Tensor& ot) {
  if (voxel_map.sizes() != ot.sizes())
    throw Error("localisation_scores: relevance and OT differ in shape");
  LocalisationScores s;
  const torch::Tensor r = voxel_map.reshape({-1}).to(torch::kDouble);
  const torch::Tensor inside = ot.reshape({-1}).ne(0);
  const int64_t lesion = inside.sum().item<int64_t>();
  if (lesion == 0) return s;

  const torch::Tensor positive = r.clamp_min(0);
  const double positive_sum = positive.sum().item<double>();
  if (positive_sum > 0) s.mass_accuracy = (positive * inside).sum().item<double>() / positive_sum;

  const double high = r.max().item<double>(), low = r.min().item<double>();
  if (high == low) return s;  // a constant map points nowhere
  s.rank_accuracy = top_share_inside(r, inside, lesion);
  const torch::Tensor at_max = r.eq(high);
  const torch::Tensor near = dilate_mask(ot, 1).reshape({-1});
  s.pointing_game = (at_max & near).sum().item<double>() / at_max.sum().item<double>();
  return s;
}

}  // namespace lrpseg
