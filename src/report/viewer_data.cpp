#include "report/viewer_data.h"

#include "data/preprocess.h"
#include "io/isles.h"
#include "report/html_encode.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {

using nlohmann::json;

namespace {

std::string encode_bytes(const torch::Tensor& bytes) {
  auto b = bytes.to(torch::kCPU, torch::kUInt8).contiguous();
  return base64_encode(b.data_ptr<uint8_t>(), size_t(b.numel()));
}

// (d, h, w) in [0, 1] → 0..255.
std::string encode_unit(const torch::Tensor& x) {
  return encode_bytes(x.to(torch::kFloat).clamp(0, 1).mul(255).round());
}

// Signed relevance over max|R_c| → 0..254 with 127 = 0, so the viewer shows
// every channel on the same [−1, 1] scale; an all-zero channel stays 127.
std::string encode_signed(const torch::Tensor& r, double max_abs) {
  auto scaled = max_abs > 0 ? r.to(torch::kDouble).div(max_abs).clamp(-1, 1)
                            : torch::zeros_like(r, torch::kDouble);
  return encode_bytes(scaled.mul(127).round().add(127));
}

std::string encode_mask(const torch::Tensor& mask, const std::array<int64_t, 3>& size_dhw,
                        const DisplayOrientation& o) {
  return encode_bytes(to_display(resize_label(mask.to(torch::kUInt8), size_dhw).gt(0), o));
}

json display_json(const DisplayOrientation& o, const std::array<int64_t, 3>& grid_dhw) {
  return {{"convention", o.convention},
          {"file_axes", o.file_axes},
          {"left", o.left},
          {"right", o.right},
          {"top", o.top},
          {"bottom", o.bottom},
          {"axis", o.axis},
          {"flip", o.flip},
          {"grid_dhw", grid_dhw}};
}

}  // namespace

json viewer_data(const CaseExplanation& c, const std::string& model_name,
                 DisplayConvention convention) {
  const auto& r = c.explanation.relevance;
  if (!c.input.defined() || c.input.dim() != 4 || c.input.size(0) != int64_t(kModalities.size()))
    throw Error("viewer data of " + c.volumes.name + ": input must be (6, d, h, w)");
  const std::array<int64_t, 3> size{c.input.size(1), c.input.size(2), c.input.size(3)};
  const int64_t filters = int64_t(c.explanation.filters.size());
  if (!r.defined() || r.dim() != 5 || r.size(0) != filters || r.size(1) != c.input.size(0) ||
      r.size(2) != size[0] || r.size(3) != size[1] || r.size(4) != size[2])
    throw Error("viewer data of " + c.volumes.name +
                ": relevance must be (K filters, 6, d, h, w) like the input");
  if (!c.prediction.defined() || c.prediction.dim() != 3)
    throw Error("viewer data of " + c.volumes.name + ": prediction must be (D, H, W)");

  const DisplayOrientation o = display_orientation(c.volumes.geometry, convention);
  const torch::Tensor shown_input = to_display(c.input, o);
  const std::array<int64_t, 3> shown{shown_input.size(1), shown_input.size(2), shown_input.size(3)};
  // Recomputed rather than taken from the explanation, so a caller that leaves
  // max_abs_per_channel empty still gets a correct scale.
  auto max_abs = r.abs().amax({2, 3, 4}).to(torch::kDouble).contiguous();
  json input = json::array(), relevance = json::array(), scales = json::array();
  for (int64_t m = 0; m < c.input.size(0); ++m) input.push_back(encode_unit(shown_input[m]));
  for (int64_t k = 0; k < filters; ++k) {
    json channels = json::array(), maxima = json::array();
    for (int64_t m = 0; m < r.size(1); ++m) {
      double scale = max_abs[k][m].item<double>();
      channels.push_back(encode_signed(to_display(r[k][m], o), scale));
      maxima.push_back(scale);
    }
    relevance.push_back(std::move(channels));
    scales.push_back(std::move(maxima));
  }
  return {{"case", c.volumes.name},
          {"model", model_name},
          {"dice", c.dice >= 0 ? json(c.dice) : json(nullptr)},
          {"size_dhw", shown},
          {"modalities", std::vector<std::string>(kModalities.begin(), kModalities.end())},
          {"filters", c.explanation.filters},
          {"input", std::move(input)},
          {"relevance", std::move(relevance)},
          {"max_abs", std::move(scales)},
          {"label",
           c.volumes.label.defined() ? json(encode_mask(c.volumes.label, size, o)) : json(nullptr)},
          {"prediction", encode_mask(c.prediction, size, o)},
          {"display", display_json(o, size)}};
}

void write_viewer_data(const CaseExplanation& c, const std::string& model_name,
                       DisplayConvention convention, const std::string& path) {
  write_text_atomically(path, viewer_data(c, model_name, convention).dump());
}

}  // namespace lrpseg
