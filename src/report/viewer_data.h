#pragma once
// The data of the report's interactive slice viewer for one explained case, at
// network size, compactly encoded (base64 bytes) so a report can embed several.
#include <nlohmann/json.hpp>
#include <string>

#include "infer/explain_cases.h"
#include "report/display_orientation.h"

namespace lrpseg {

// {
//   "case", "model", "dice" (null without OT), "size_dhw": [d, h, w],
//   "modalities": [6 names], "filters": [K names],
//   "input": [6 × base64 of d·h·w bytes, round(x · 255) of the input in [0, 1]],
//   "relevance": [K × [6 × base64 of d·h·w bytes, 127 + round(127 · R_c / max|R_c|)]],
//   "max_abs": [K × [6 numbers max|R_c|]],
//   "label": base64 of d·h·w bytes in {0, 1} or null, "prediction": same, never null,
//   "display": {"convention", "file_axes" (e.g. "RAS"), "left", "right", "top",
//               "bottom" (patient directions at the image edges, "" in voxel order),
//               "axis": [3], "flip": [3] (DisplayOrientation), "grid_dhw": [3]}
// }
// Volumes are in C order in display order (slice, row, column: report/
// display_orientation.h, from the case's affine in `convention`), so the viewer
// draws row 0 at the top; "size_dhw" is that shape and "grid_dhw" the network
// grid's, for voxel coordinates. Label and prediction are resized from the case
// grid to the network size with nearest sampling.
nlohmann::json viewer_data(const CaseExplanation& c, const std::string& model_name,
                           DisplayConvention convention = DisplayConvention::Radiological);

// Writes viewer_data(c, model_name, convention) as JSON to `path`, atomically.
void write_viewer_data(const CaseExplanation& c, const std::string& model_name,
                       DisplayConvention convention, const std::string& path);

}  // namespace lrpseg
