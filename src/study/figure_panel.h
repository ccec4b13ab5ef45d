#pragma once
// The data of a Figure-1 panel (paper Fig. 1): one case, one modality, one
// slice; raw, pass- and clamp-filtered relevance with the case's ground truth,
// prediction and modality slice.
#include <string>

#include "infer/explain_cases.h"
#include "report/display_orientation.h"
#include "report/figure1.h"

namespace lrpseg {

// Index of a modality name in kModalities; an error names `option` otherwise.
int modality_index(const std::string& name, const std::string& option);

// The axial slice (D index) with the most lesion voxels in `mask` (D, H, W);
// the middle slice when the mask is empty.
int64_t slice_with_most_lesion(const torch::Tensor& mask);

// Panel data from an explanation whose filters are the panel's (e.g. raw,
// pass:0-0.4, clamp:0-0.2), at the case grid, oriented from the case's affine in
// `convention`. `slice` counts axial slices from inferior in that orientation (the
// file's k index for the usual k = inferior-to-superior); -1: the slice with most
// lesion (ground truth, else prediction).
Figure1Data figure1_data(const CaseExplanation& c, int modality, int64_t slice,
                         const std::string& model_name,
                         DisplayConvention convention = DisplayConvention::Radiological);

}  // namespace lrpseg
