#include <algorithm>
#include <sstream>

#include "attribution/attribution.h"
#include "util/error.h"

namespace lrpseg {

namespace {

const std::vector<std::pair<Method, const char*>>& method_names() {
  static const std::vector<std::pair<Method, const char*>> names = {
      {Method::Lrp, "lrp"},
      {Method::Gradient, "gradient"},
      {Method::GradientXInput, "gradient-x-input"},
      {Method::IntegratedGradients, "integrated-gradients"},
      {Method::SmoothGrad, "smoothgrad"},
      {Method::Occlusion, "occlusion"}};
  return names;
}

// Parameters stop asking for gradients while an attribution runs, so autograd
// propagates to the input only and the convolutions record their fast
// input-only backward (model/convolution.h); restored on scope exit.
class FrozenParameters {
 public:
  explicit FrozenParameters(UNet& net) : parameters_(net->parameters()) {
    for (torch::Tensor& p : parameters_) {
      asked_.push_back(p.requires_grad());
      p.requires_grad_(false);
    }
  }
  ~FrozenParameters() {
    for (size_t i = 0; i < parameters_.size(); ++i) parameters_[i].requires_grad_(asked_[i]);
  }
  FrozenParameters(const FrozenParameters&) = delete;
  FrozenParameters& operator=(const FrozenParameters&) = delete;

 private:
  std::vector<torch::Tensor> parameters_;
  std::vector<bool> asked_;
};

}  // namespace

const char* to_string(Method method) {
  for (const auto& [m, name] : method_names()) {
    if (m == method) return name;
  }
  return "?";
}

std::vector<Method> parse_methods(const std::string& list) {
  std::vector<Method> methods;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    bool found = false;
    for (const auto& [m, name] : method_names()) {
      if (item != name) continue;
      if (std::find(methods.begin(), methods.end(), m) != methods.end()) {
        throw UsageError("--method: '" + item + "' is listed twice");
      }
      methods.push_back(m);
      found = true;
    }
    if (!found) {
      throw UsageError(
          "--method '" + item +
          "': expected lrp, gradient, gradient-x-input, integrated-gradients, smoothgrad "
          "or occlusion");
    }
  }
  if (methods.empty()) throw UsageError("--method: no method given");
  return methods;
}

OcclusionChannels parse_occlusion_channels(const std::string& text) {
  if (text == "all") return OcclusionChannels::All;
  if (text == "each") return OcclusionChannels::Each;
  throw UsageError("--occlusion-channels '" + text + "': expected all or each");
}

const char* to_string(OcclusionChannels channels) {
  return channels == OcclusionChannels::All ? "all" : "each";
}

void check_attribution_options(const AttributionOptions& o, const std::array<int64_t, 3>& size) {
  if (o.ig_steps <= 0) throw UsageError("--ig-steps must be positive");
  if (o.ig_baseline != "zero" && o.ig_baseline != "blur") {
    throw UsageError("--ig-baseline '" + o.ig_baseline + "': expected zero or blur");
  }
  if (o.smoothgrad_samples <= 0) throw UsageError("--smoothgrad-samples must be positive");
  if (!(o.smoothgrad_sigma >= 0)) throw UsageError("--smoothgrad-sigma must be ≥ 0");
  if (o.batch < 0) throw UsageError("--attribution-batch must be positive (0: per method)");
  for (int d = 0; d < 3; ++d) {
    if (o.occlusion_patch[d] < 1 || o.occlusion_patch[d] > size[d]) {
      throw UsageError("--occlusion-patch: " + std::to_string(o.occlusion_patch[0]) + "x" +
                       std::to_string(o.occlusion_patch[1]) + "x" +
                       std::to_string(o.occlusion_patch[2]) + " does not fit the network input " +
                       std::to_string(size[0]) + "x" + std::to_string(size[1]) + "x" +
                       std::to_string(size[2]));
    }
    if (o.occlusion_stride[d] < 0) throw UsageError("--occlusion-stride must be positive");
  }
}

torch::Tensor target_weights(const torch::Tensor& y, Target target) {
  torch::Tensor w = torch::zeros_like(y);
  const int64_t lesion = y.size(1) - 1;
  switch (target) {
    case Target::All:
      w.fill_(1.0);
      break;
    case Target::Lesion:
      w.narrow(1, lesion, 1).fill_(1.0);
      break;
    case Target::LesionMask:
      w.narrow(1, lesion, 1).copy_(y.argmax(1, /*keepdim=*/true).eq(lesion));
      break;
  }
  return w;
}

Score unet_score(UNet& net, const torch::Tensor& weights) {
  return [&net, weights](const torch::Tensor& batch) {
    return (net->forward(batch) * weights).sum({1, 2, 3, 4});
  };
}

torch::Tensor attribute(UNet& net, const torch::Tensor& x, Method method,
                        const torch::Tensor& weights, const AttributionOptions& options) {
  if (method == Method::Lrp) throw Error("attribute: LRP runs through lrp/relevance.h");
  const bool was_training = net->is_training();
  net->eval();
  const FrozenParameters frozen(net);
  const Score score = unet_score(net, weights);
  torch::Tensor result;
  switch (method) {
    case Method::Gradient:
      result = gradient(score, x);
      break;
    case Method::GradientXInput:
      result = gradient(score, x) * x;
      break;
    case Method::IntegratedGradients:
      result = integrated_gradients(score, x, ig_baseline(x, options), options.ig_steps,
                                    options.gradient_batch());
      break;
    case Method::SmoothGrad:
      result = smoothgrad(score, x, options);
      break;
    case Method::Occlusion: {
      torch::NoGradGuard no_grad;
      result = occlusion(score, x, options);
      break;
    }
    case Method::Lrp:
      break;
  }
  if (was_training) net->train();
  return result;
}

}  // namespace lrpseg
