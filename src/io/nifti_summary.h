#pragma once
// A NIfTI volume described as JSON, for `lrpseg info FILE`.
#include <nlohmann/json.hpp>

#include "io/nifti.h"

namespace lrpseg {

// {"path", "dims": [nx, ny, …], "datatype": "int16", "pixdim": [dx, dy, …], "qform_code",
//  "sform_code", "qform": 4x4, "sform": 4x4, "orientation": "RAS", "intent_code",
//  "scl_slope", "scl_inter", "nan_voxels", "inf_voxels", "min", "max", "mean"};
// min/max/mean are over the finite scaled voxel values (null when there are none).
nlohmann::json nifti_summary(const Volume& volume);

}  // namespace lrpseg
