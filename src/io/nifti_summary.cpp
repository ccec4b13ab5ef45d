#include "io/nifti_summary.h"

namespace lrpseg {

nlohmann::json nifti_summary(const Volume& volume) {
  const NiftiHeader& h = volume.header;
  const auto dim = h.dim();
  const auto pixdim = h.pixdim();
  nlohmann::json dims = nlohmann::json::array(), spacing = nlohmann::json::array();
  for (int64_t k = 1; k <= dim[0]; ++k) {
    dims.push_back(dim[k]);
    spacing.push_back(pixdim[k]);
  }
  const torch::Tensor data = volume.data.to(torch::kFloat64);
  const bool empty = data.numel() == 0;
  return {{"path", volume.path},
          {"dims", dims},
          {"datatype", nifti_datatype_name(h.datatype())},
          {"pixdim", spacing},
          {"qform_code", h.qform_code()},
          {"sform_code", h.sform_code()},
          {"qform", h.qform()},
          {"sform", h.sform()},
          {"scl_slope", h.scl_slope()},
          {"scl_inter", h.scl_inter()},
          {"min", empty ? 0.0 : data.min().item<double>()},
          {"max", empty ? 0.0 : data.max().item<double>()},
          {"mean", empty ? 0.0 : data.mean().item<double>()}};
}

}  // namespace lrpseg
