#pragma once
// The 3D U-Net of Tjoa et al. (DESIGN.md §2): four encoder blocks, three
// decoder blocks with transposed-convolution upsampling, crop and concat skips,
// and a 1×1×1 head to two classes (background, lesion).
#include <torch/torch.h>

#include <string>

#include "model/trace.h"

namespace lrpseg {

struct UNetOptions {
  int64_t in_channels = 6;
  int64_t classes = 2;
  int64_t width = 32;  // base width w; the paper's network has w = 32
};

// Conv3d(3, pad 1) → BN → LeakyReLU(0.2) → Conv3d(3, pad 1) → BN → LeakyReLU(0.2).
class ConvBlockImpl : public torch::nn::Module {
 public:
  ConvBlockImpl(int64_t in_channels, int64_t mid_channels, int64_t out_channels);
  Node forward(const Node& x, Recorder& rec, const std::string& name);

  torch::nn::Conv3d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm3d bn1{nullptr}, bn2{nullptr};
};
TORCH_MODULE(ConvBlock);

class UNetImpl : public torch::nn::Module {
 public:
  explicit UNetImpl(const UNetOptions& options = {});

  // x: (N, in_channels, D, H, W) of any D, H, W ≥ 1. Returns the post-ReLU
  // output (N, classes, D, H, W). With a trace, records what LRP needs.
  torch::Tensor forward(const torch::Tensor& x, Trace* trace = nullptr);

  const UNetOptions& options() const { return options_; }
  int64_t parameter_count() const;

  ConvBlock b1{nullptr}, b2{nullptr}, b3{nullptr}, b4{nullptr};
  ConvBlock b5{nullptr}, b6{nullptr}, b7{nullptr};
  torch::nn::ConvTranspose3d up1{nullptr}, up2{nullptr}, up3{nullptr};
  torch::nn::Conv3d head_conv{nullptr};
  torch::nn::BatchNorm3d head_bn{nullptr};

 private:
  UNetOptions options_;
};
TORCH_MODULE(UNet);

// `net` itself when its parameters already have `dtype`, else a copy in `dtype`
// (parameters and BatchNorm statistics; device and train/eval mode kept).
UNet with_dtype(UNet& net, torch::Dtype dtype);

// Where `net` computes: the device of its parameters (util/device.h).
torch::Device device_of(UNet& net);

// A deep copy of `net` (parameters, BatchNorm statistics, dtype, device, train/eval mode).
UNet clone_unet(UNet& net);

}  // namespace lrpseg
