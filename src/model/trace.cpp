#include "model/trace.h"

#include "model/convolution.h"
#include "util/error.h"
#include "util/torch_compat.h"

namespace lrpseg {

namespace F = torch::nn::functional;

const char* to_string(LayerKind kind) {
  switch (kind) {
    case LayerKind::Conv:
      return "Conv3d";
    case LayerKind::ConvTranspose:
      return "ConvTranspose3d";
    case LayerKind::BatchNorm:
      return "BatchNorm3d";
    case LayerKind::LeakyReLU:
      return "LeakyReLU";
    case LayerKind::ReLU:
      return "ReLU";
    case LayerKind::MaxPool:
      return "MaxPool3d";
    case LayerKind::Crop:
      return "Crop";
    case LayerKind::Concat:
      return "Concat";
  }
  return "?";
}

std::vector<int> Trace::consumers(int id) const {
  std::vector<int> result;
  for (size_t s = 0; s < steps.size(); ++s) {
    for (int in : steps[s].inputs) {
      if (in == id) result.push_back(static_cast<int>(s));
    }
  }
  return result;
}

int Trace::find(const std::string& name) const {
  for (size_t s = 0; s < steps.size(); ++s) {
    if (steps[s].name == name) return static_cast<int>(s);
  }
  throw Error("trace: no layer named '" + name + "'");
}

int Recorder::add_tensor(const torch::Tensor& t) {
  trace_->shapes.push_back(t.sizes().vec());
  return static_cast<int>(trace_->shapes.size()) - 1;
}

TraceStep& Recorder::add_step(LayerKind kind, const std::string& name, std::vector<int> inputs,
                              const torch::Tensor& out) {
  TraceStep step;
  step.kind = kind;
  step.name = name;
  step.inputs = std::move(inputs);
  step.output = add_tensor(out);
  trace_->steps.push_back(std::move(step));
  return trace_->steps.back();
}

Node Recorder::input(const torch::Tensor& x) {
  if (!tracing()) return {x, -1};
  trace_->input = x;
  return {x, add_tensor(x)};
}

void Recorder::output(const Node& y) {
  if (!tracing()) return;
  trace_->output = y.value;
  trace_->output_id = y.id;
}

namespace {

// One convolution call computing [forward; companion] output channels (just the
// forward when `extra` is undefined), through model/convolution.h. The companion
// is copied out so the forward's half of the storage can be freed.
std::pair<torch::Tensor, torch::Tensor> stacked(bool transposed, const torch::Tensor& x,
                                                const torch::Tensor& weight,
                                                const torch::Tensor& bias,
                                                const torch::Tensor& extra, Dims3 stride,
                                                Dims3 padding) {
  auto convolve = [&](const torch::Tensor& w, const torch::Tensor& b) {
    return transposed ? lrpseg::conv_transpose3d(x, w, b, stride, padding)
                      : lrpseg::conv3d(x, w, b, stride, padding);
  };
  if (!extra.defined()) return {convolve(weight, bias), torch::Tensor()};
  const int64_t out_dim = transposed ? 1 : 0;  // (C_in, C_out, k…) when transposed
  const int64_t channels = weight.size(out_dim);
  torch::Tensor w = torch::cat({weight, extra.to(weight.dtype())}, out_dim);
  torch::Tensor b = bias.defined() ? torch::cat({bias, torch::zeros_like(bias)}) : torch::Tensor();
  torch::Tensor both = convolve(w, b);
  return {both.narrow(1, 0, channels), both.narrow(1, channels, channels).clone()};
}

template <class Options>
void record_geometry(TraceStep& s, const Options& o) {
  for (int d = 0; d < 3; ++d) {
    s.stride[d] = (*o.stride())[d];
    s.padding[d] = (**variant_alternative<torch::ExpandingArray<3>>(o.padding()))[d];
  }
}

}  // namespace

Node Recorder::conv(const std::string& name, torch::nn::Conv3d& layer, const Node& x) {
  CompanionRequest request;
  if (tracing() && trace_->companion) {
    request = trace_->companion(LayerKind::Conv, x.id, x.value, layer->weight);
  }
  const auto& o = layer->options;
  // The stacked call knows stride and zero padding only; the U-Net uses no more.
  const bool plain_geometry = o.groups() == 1 && (*o.dilation())[0] == 1 &&
                              (*o.dilation())[1] == 1 && (*o.dilation())[2] == 1 &&
                              variant_alternative<torch::enumtype::kZeros>(o.padding_mode()) &&
                              variant_alternative<torch::ExpandingArray<3>>(o.padding());
  torch::Tensor y, companion;
  // Our own call wherever it knows the geometry: it takes the fast path of each
  // precision and device (model/convolution.h), and otherwise makes the module's call.
  if (plain_geometry) {
    TraceStep geometry;
    record_geometry(geometry, o);
    std::tie(y, companion) =
        stacked(false, x.value, layer->weight, o.bias() ? layer->bias : torch::Tensor(),
                request.weight, geometry.stride, geometry.padding);
  } else {
    y = layer(x.value);
  }
  if (!tracing()) return {y, -1};
  TraceStep& s = add_step(LayerKind::Conv, name, {x.id}, y);
  s.input = x.value;
  s.weight = layer->weight;
  s.bias = layer->options.bias() ? layer->bias : torch::Tensor();
  s.companion = companion;
  if (companion.defined()) s.companion_tag = request.tag;
  record_geometry(s, layer->options);
  return {y, s.output};
}

Node Recorder::conv_transpose(const std::string& name, torch::nn::ConvTranspose3d& layer,
                              const Node& x) {
  const auto& o = layer->options;
  // Our call has no output_padding/groups/dilation; the U-Net uses none. LRP
  // asks for companions of convolutions only.
  const bool plain_geometry = (*o.output_padding())[0] == 0 && (*o.output_padding())[1] == 0 &&
                              (*o.output_padding())[2] == 0 && o.groups() == 1;
  torch::Tensor y;
  if (plain_geometry) {
    TraceStep geometry;
    record_geometry(geometry, o);
    y = stacked(true, x.value, layer->weight, o.bias() ? layer->bias : torch::Tensor(),
                torch::Tensor(), geometry.stride, geometry.padding)
            .first;
  } else {
    y = layer(x.value);
  }
  if (!tracing()) return {y, -1};
  TraceStep& s = add_step(LayerKind::ConvTranspose, name, {x.id}, y);
  s.input = x.value;
  s.weight = layer->weight;
  s.bias = o.bias() ? layer->bias : torch::Tensor();
  record_geometry(s, o);
  return {y, s.output};
}

Node Recorder::batch_norm(const std::string& name, torch::nn::BatchNorm3d& layer, const Node& x) {
  torch::Tensor y = layer(x.value);
  if (!tracing()) return {y, -1};
  TraceStep& s = add_step(LayerKind::BatchNorm, name, {x.id}, y);
  s.bn_mean = layer->running_mean;
  s.bn_var = layer->running_var;
  s.bn_weight = layer->weight;
  s.bn_bias = layer->bias;
  s.bn_eps = layer->options.eps();
  return {y, s.output};
}

Node Recorder::leaky_relu(const std::string& name, const Node& x, double negative_slope) {
  torch::Tensor y =
      F::leaky_relu(x.value, F::LeakyReLUFuncOptions().negative_slope(negative_slope));
  if (!tracing()) return {y, -1};
  return {y, add_step(LayerKind::LeakyReLU, name, {x.id}, y).output};
}

Node Recorder::relu(const std::string& name, const Node& x) {
  torch::Tensor y = torch::relu(x.value);
  if (!tracing()) return {y, -1};
  return {y, add_step(LayerKind::ReLU, name, {x.id}, y).output};
}

Node Recorder::max_pool(const std::string& name, const Node& x) {
  const std::vector<int64_t> k{2, 2, 2};
  if (!tracing()) {
    return {torch::max_pool3d(x.value, k, k, /*padding=*/0, /*dilation=*/1, /*ceil_mode=*/true),
            -1};
  }
  auto [y, indices] = torch::max_pool3d_with_indices(x.value, k, k, 0, 1, true);
  TraceStep& s = add_step(LayerKind::MaxPool, name, {x.id}, y);
  s.input = x.value;
  s.indices = indices;
  s.pooled = y;
  return {y, s.output};
}

Node Recorder::crop(const std::string& name, const Node& x, std::array<int64_t, 3> size_dhw) {
  std::array<int64_t, 3> from{x.value.size(2), x.value.size(3), x.value.size(4)};
  std::array<int64_t, 3> offset{};
  torch::Tensor y = x.value;
  for (int d = 0; d < 3; ++d) {
    if (from[d] < size_dhw[d]) {
      throw Error("crop '" + name + "': input is smaller than the target size");
    }
    offset[d] = (from[d] - size_dhw[d]) / 2;
    y = y.narrow(2 + d, offset[d], size_dhw[d]);
  }
  if (!tracing()) return {y, -1};
  TraceStep& s = add_step(LayerKind::Crop, name, {x.id}, y);
  s.crop_from_dhw = from;
  s.crop_offset_dhw = offset;
  return {y, s.output};
}

Node Recorder::concat(const std::string& name, const Node& skip, const Node& up) {
  torch::Tensor y = torch::cat({skip.value, up.value}, 1);
  if (!tracing()) return {y, -1};
  TraceStep& s = add_step(LayerKind::Concat, name, {skip.id, up.id}, y);
  s.split_channels = {skip.value.size(1), up.value.size(1)};
  return {y, s.output};
}

}  // namespace lrpseg
