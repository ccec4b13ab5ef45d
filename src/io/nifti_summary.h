#pragma once
// A NIfTI volume described as JSON, for `lrpseg info FILE`.
#include <nlohmann/json.hpp>

#include "io/nifti.h"

namespace lrpseg {

// {"path", "dims": [nx, ny, …], "datatype": "int16", "pixdim": [dx, dy, …], "qform_code",
//  "sform_code", "qform": 4x4, "sform": 4x4, "scl_slope", "scl_inter", "min", "max", "mean"};
// min/max/mean are over the scaled voxel values.
nlohmann::json nifti_summary(const Volume& volume);

}  // namespace lrpseg
