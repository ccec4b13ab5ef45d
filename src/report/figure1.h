#pragma once
// The paper's Figure 1 panel for one case, slice and modality: the relevance maps (e.g. raw,
// pass- and clamp-filtered) on the diverging colormap, the same over the modality slice, then
// ground truth, prediction and the slice itself.
#include <torch/torch.h>

#include <array>
#include <string>
#include <vector>

namespace lrpseg {

struct Figure1Data {
  std::string title;  // e.g. "case training_4, rCBF, axial slice 9, radiological view (A1)"
  torch::Tensor modality_slice;  // (H, W) raw values of the chosen modality, in display order
  torch::Tensor ground_truth;    // (H, W) 0/1, may be undefined (no OT)
  torch::Tensor prediction;      // (H, W) 0/1
  double dice = -1;              // shown in the prediction title when >= 0
  std::vector<std::string> relevance_titles;  // e.g. "raw", "pass 0–0.4", "clamp 0–0.2"
  std::vector<torch::Tensor> relevance;       // (H, W) each: R_c of the modality channel here
  // max|R_c| over the whole volume of channel c, one per relevance map: the map is shown as
  // R_c / max|R_c| on [-1, 1] and the value printed in its title. Empty: the slice's own max.
  std::vector<double> max_abs;
  // Patient directions at the left, right, top and bottom edges of every image ("R", "L", "A",
  // "P"), drawn in each panel; empty: no labels (slices in voxel order).
  std::array<std::string, 4> edge_labels;
};

// Rows: relevance maps (with colour bars); the same over the grayscale slice; ground truth,
// prediction (Dice in its title) and the slice with its colour bar. Tensor row 0 is drawn at the
// top and column 0 at the left (the caller puts slices in display order, report/
// display_orientation.h); pixels are square. Writes path_png and the SVG beside
// it (in the SVG, images larger than 96 pixels a side are block-averaged to keep it a few MB).
// Error on mismatched shapes or counts, or when the directory does not exist.
void render_figure1(const Figure1Data& data, const std::string& path_png, int width = 1500,
                    int height = 1000);

}  // namespace lrpseg
