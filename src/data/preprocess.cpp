#include "data/preprocess.h"

#include <sstream>

#include "util/error.h"

namespace lrpseg {

namespace F = torch::nn::functional;

Interpolation parse_interpolation(const std::string& text, const std::string& option) {
  if (text == "nearest") return Interpolation::Nearest;
  if (text == "trilinear") return Interpolation::Trilinear;
  throw_option_error(option,
                     ": unknown interpolation '" + text + "' (expected nearest or trilinear)");
}

std::string to_string(Interpolation interpolation) {
  return interpolation == Interpolation::Nearest ? "nearest" : "trilinear";
}

std::array<int64_t, 3> parse_size_dhw(const std::string& text, const std::string& option) {
  std::array<int64_t, 3> size{};
  const std::string error =
      ": '" + text + "' is not a size DxHxW of positive integers (e.g. 19x48x48)";
  if (text.empty() || text.back() == 'x' || text.size() > 40) throw_option_error(option, error);
  std::stringstream ss(text);
  std::string part;
  int n = 0;
  while (std::getline(ss, part, 'x')) {
    if (n == 3 || part.empty() || part.size() > 6 ||
        part.find_first_not_of("0123456789") != std::string::npos) {
      n = -1;
      break;
    }
    size[n++] = std::stoll(part);
  }
  if (n != 3 || size[0] <= 0 || size[1] <= 0 || size[2] <= 0) throw_option_error(option, error);
  return size;
}

std::string format_size_dhw(const std::array<int64_t, 3>& s) {
  return std::to_string(s[0]) + "x" + std::to_string(s[1]) + "x" + std::to_string(s[2]);
}

torch::Tensor minmax_scale(const torch::Tensor& image) {
  auto flat = image.reshape({image.size(0), -1});
  auto lo = std::get<0>(flat.min(1, true));
  auto hi = std::get<0>(flat.max(1, true));
  auto range = hi - lo;
  auto scaled =
      torch::where(range > 0, (flat - lo) / range.clamp_min(1e-30), torch::zeros_like(flat));
  return scaled.reshape(image.sizes());
}

torch::Tensor resize(const torch::Tensor& volume, const std::array<int64_t, 3>& size_dhw,
                     Interpolation interpolation) {
  if (volume.size(1) == size_dhw[0] && volume.size(2) == size_dhw[1] &&
      volume.size(3) == size_dhw[2]) {
    return volume;
  }
  auto options =
      F::InterpolateFuncOptions().size(std::vector<int64_t>(size_dhw.begin(), size_dhw.end()));
  if (interpolation == Interpolation::Nearest) {
    options.mode(torch::kNearest);
  } else {
    options.mode(torch::kTrilinear).align_corners(false);
  }
  return F::interpolate(volume.unsqueeze(0), options).squeeze(0);
}

torch::Tensor nearest_index_map(const std::array<int64_t, 3>& from_dhw,
                                const std::array<int64_t, 3>& to_dhw) {
  // Indices as float64 are exact far beyond any volume (2^53).
  const torch::Tensor ids = torch::arange(from_dhw[0] * from_dhw[1] * from_dhw[2], torch::kDouble)
                                .reshape({1, from_dhw[0], from_dhw[1], from_dhw[2]});
  return resize(ids, to_dhw, Interpolation::Nearest).squeeze(0).to(torch::kLong);
}

torch::Tensor resize_label(const torch::Tensor& label, const std::array<int64_t, 3>& size_dhw) {
  auto as_float = label.to(torch::kFloat).unsqueeze(0);
  return resize(as_float, size_dhw, Interpolation::Nearest)
      .squeeze(0)
      .round()
      .to(label.scalar_type());
}

torch::Tensor preprocess_image(const torch::Tensor& raw, const PreprocessOptions& options) {
  return resize(minmax_scale(raw.to(torch::kFloat)), options.size_dhw, options.interpolation)
      .contiguous();
}

torch::Tensor brain_mask(const torch::Tensor& input) {
  if (input.dim() != 4) throw Error("brain_mask: expects (C, D, H, W)");
  const int64_t channels = input.size(0);
  return input.ne(0).sum(0).mul(2).ge(channels);
}

}  // namespace lrpseg
