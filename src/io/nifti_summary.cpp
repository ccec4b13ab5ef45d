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
  const torch::Tensor all = volume.data.to(torch::kFloat64).flatten();
  const torch::Tensor data = all.masked_select(torch::isfinite(all));
  const bool empty = data.numel() == 0;
  const auto stat = [&](double value) { return empty ? nlohmann::json() : nlohmann::json(value); };
  return {{"path", volume.path},
          {"dims", dims},
          {"datatype", nifti_datatype_name(h.datatype())},
          {"pixdim", spacing},
          {"qform_code", h.qform_code()},
          {"sform_code", h.sform_code()},
          {"qform", h.qform()},
          {"sform", h.sform()},
          {"orientation", h.orientation()},
          {"intent_code", h.intent_code()},
          {"scl_slope", h.scl_slope()},
          {"scl_inter", h.scl_inter()},
          {"nan_voxels", torch::isnan(all).sum().item<int64_t>()},
          {"inf_voxels", torch::isinf(all).sum().item<int64_t>()},
          {"min", stat(empty ? 0.0 : data.min().item<double>())},
          {"max", stat(empty ? 0.0 : data.max().item<double>())},
          {"mean", stat(empty ? 0.0 : data.mean().item<double>())}};
}

}  // namespace lrpseg
