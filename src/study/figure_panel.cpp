#include "study/figure_panel.h"

#include "util/error.h"

namespace lrpseg {

int modality_index(const std::string& name, const std::string& option) {
  for (size_t i = 0; i < kModalities.size(); ++i) {
    if (name == kModalities[i]) return static_cast<int>(i);
  }
  throw_option_error(
      option, ": unknown modality '" + name + "' (expected ADC, MTT, rCBF, rCBV, Tmax or TTP)");
}

int64_t slice_with_most_lesion(const torch::Tensor& mask) {
  auto per_slice = mask.to(torch::kLong).sum({1, 2});
  if (per_slice.sum().item<int64_t>() == 0) return mask.size(0) / 2;
  return per_slice.argmax().item<int64_t>();
}

Figure1Data figure1_data(const CaseExplanation& c, int modality, int64_t slice,
                         const std::string& model_name, DisplayConvention convention) {
  const CaseVolumes& v = c.volumes;
  const DisplayOrientation o = display_orientation(v.geometry, convention);
  const torch::Tensor image = to_display(v.image[modality], o);
  const torch::Tensor prediction = to_display(c.prediction, o);
  const torch::Tensor label = v.label.defined() ? to_display(v.label, o) : torch::Tensor();
  if (slice < 0) slice = slice_with_most_lesion(label.defined() ? label : prediction);
  if (slice >= image.size(0)) {
    throw UsageError("--slice " + std::to_string(slice) + ": the case has " +
                     (o.anatomical() ? "axial " : "") + "slices 0.." +
                     std::to_string(image.size(0) - 1));
  }
  Figure1Data d;
  d.title = "case " + v.name + ", " + kModalities[modality] + ", " +
            (o.anatomical() ? "axial slice " : "slice ") + std::to_string(slice) + ", " +
            o.convention + (o.anatomical() ? " view" : "") +
            (model_name.empty() ? "" : " (" + model_name + ")");
  d.modality_slice = image[slice];
  if (label.defined()) d.ground_truth = label[slice];
  d.prediction = prediction[slice];
  d.dice = c.dice;
  d.edge_labels = {o.left, o.right, o.top, o.bottom};
  const auto& filters = c.explanation.filters;
  for (size_t k = 0; k < filters.size(); ++k) {
    torch::Tensor channel = case_grid_relevance(c, static_cast<int64_t>(k))[modality];
    d.relevance_titles.push_back(filters[k]);
    d.relevance.push_back(to_display(channel, o)[slice]);
    d.max_abs.push_back(channel.abs().max().item<double>());
  }
  return d;
}

}  // namespace lrpseg
