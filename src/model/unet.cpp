#include "model/unet.h"

namespace lrpseg {

namespace nn = torch::nn;

namespace {

constexpr double kLeakySlope = 0.2;

nn::Conv3d conv3(int64_t in, int64_t out) {
  return nn::Conv3d(nn::Conv3dOptions(in, out, 3).padding(1));
}

nn::ConvTranspose3d up2x(int64_t channels) {
  return nn::ConvTranspose3d(
      nn::ConvTranspose3dOptions(channels, channels, 2).stride(2).bias(false));
}

std::array<int64_t, 3> size_dhw(const torch::Tensor& t) {
  return {t.size(2), t.size(3), t.size(4)};
}

}  // namespace

ConvBlockImpl::ConvBlockImpl(int64_t in_channels, int64_t mid_channels, int64_t out_channels)
    : conv1(register_module("conv1", conv3(in_channels, mid_channels))),
      conv2(register_module("conv2", conv3(mid_channels, out_channels))),
      bn1(register_module("bn1", nn::BatchNorm3d(mid_channels))),
      bn2(register_module("bn2", nn::BatchNorm3d(out_channels))) {}

Node ConvBlockImpl::forward(const Node& x, Recorder& rec, const std::string& name) {
  Node h = rec.conv(name + ".conv1", conv1, x);
  h = rec.batch_norm(name + ".bn1", bn1, h);
  h = rec.leaky_relu(name + ".act1", h, kLeakySlope);
  h = rec.conv(name + ".conv2", conv2, h);
  h = rec.batch_norm(name + ".bn2", bn2, h);
  return rec.leaky_relu(name + ".act2", h, kLeakySlope);
}

UNetImpl::UNetImpl(const UNetOptions& options) : options_(options) {
  const int64_t w = options.width;
  b1 = register_module("b1", ConvBlock(options.in_channels, w, 2 * w));
  b2 = register_module("b2", ConvBlock(2 * w, 2 * w, 4 * w));
  b3 = register_module("b3", ConvBlock(4 * w, 4 * w, 8 * w));
  b4 = register_module("b4", ConvBlock(8 * w, 8 * w, 16 * w));
  up1 = register_module("up1", up2x(16 * w));
  b5 = register_module("b5", ConvBlock(24 * w, 8 * w, 8 * w));
  up2 = register_module("up2", up2x(8 * w));
  b6 = register_module("b6", ConvBlock(12 * w, 4 * w, 4 * w));
  up3 = register_module("up3", up2x(4 * w));
  b7 = register_module("b7", ConvBlock(6 * w, 2 * w, 2 * w));
  head_conv =
      register_module("head_conv", nn::Conv3d(nn::Conv3dOptions(2 * w, options.classes, 1)));
  head_bn = register_module("head_bn", nn::BatchNorm3d(options.classes));

  // Kaiming-normal convolution weights, as the reference code.
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* conv = module->as<nn::Conv3d>()) {
      nn::init::kaiming_normal_(conv->weight);
    } else if (auto* up = module->as<nn::ConvTranspose3d>()) {
      nn::init::kaiming_normal_(up->weight);
    }
  }
}

torch::Tensor UNetImpl::forward(const torch::Tensor& x, Trace* trace) {
  Recorder rec(trace);
  Node in = rec.input(x);
  Node h1 = b1->forward(in, rec, "b1");
  Node h2 = b2->forward(rec.max_pool("pool1", h1), rec, "b2");
  Node h3 = b3->forward(rec.max_pool("pool2", h2), rec, "b3");
  Node h4 = b4->forward(rec.max_pool("pool3", h3), rec, "b4");

  Node u = rec.crop("crop1", rec.conv_transpose("up1", up1, h4), size_dhw(h3.value));
  Node d = b5->forward(rec.concat("cat1", h3, u), rec, "b5");
  u = rec.crop("crop2", rec.conv_transpose("up2", up2, d), size_dhw(h2.value));
  d = b6->forward(rec.concat("cat2", h2, u), rec, "b6");
  u = rec.crop("crop3", rec.conv_transpose("up3", up3, d), size_dhw(h1.value));
  d = b7->forward(rec.concat("cat3", h1, u), rec, "b7");

  Node y = rec.conv("head.conv", head_conv, d);
  y = rec.batch_norm("head.bn", head_bn, y);
  y = rec.relu("head.relu", y);
  rec.output(y);
  return y.value;
}

int64_t UNetImpl::parameter_count() const {
  int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

namespace {

UNet copy_in(UNet& net, torch::Dtype dtype) {
  UNet copy(net->options());
  // Copy on the source's device without rounding, then convert.
  copy->to(device_of(net), net->parameters().front().scalar_type());
  torch::NoGradGuard no_grad;
  const auto source_parameters = net->named_parameters();
  for (auto& p : copy->named_parameters()) p.value().copy_(source_parameters[p.key()]);
  const auto source_buffers = net->named_buffers();
  for (auto& b : copy->named_buffers()) b.value().copy_(source_buffers[b.key()]);
  copy->to(dtype);
  copy->train(net->is_training());
  return copy;
}

}  // namespace

UNet with_dtype(UNet& net, torch::Dtype dtype) {
  if (net->parameters().front().scalar_type() == dtype) return net;
  return copy_in(net, dtype);
}

torch::Device device_of(UNet& net) { return net->parameters().front().device(); }

UNet clone_unet(UNet& net) { return copy_in(net, net->parameters().front().scalar_type()); }

}  // namespace lrpseg
