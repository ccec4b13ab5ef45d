#pragma once
// Baseline attributions next to LRP, with the same targets (all / lesion /
// lesion-mask) and the same output layout: the gradient, gradient × input,
// integrated gradients, SmoothGrad and occlusion. Each works on a score
// function of a batch of inputs, so that several IG steps, noisy samples or
// occluded copies go through one forward (and backward) pass; unet_score binds
// the U-Net and a target to it.
#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lrp/composite.h"
#include "model/unet.h"

namespace lrpseg {

enum class Method { Lrp, Gradient, GradientXInput, IntegratedGradients, SmoothGrad, Occlusion };

const char* to_string(Method method);
// lrp, gradient, gradient-x-input, integrated-gradients, smoothgrad, occlusion;
// a comma-separated list, without repeats. Errors name --method.
std::vector<Method> parse_methods(const std::string& list);

enum class OcclusionChannels { All, Each };

// all | each; errors name --occlusion-channels.
OcclusionChannels parse_occlusion_channels(const std::string& text);
const char* to_string(OcclusionChannels channels);

struct AttributionOptions {
  int ig_steps = 32;                 // Riemann midpoints between baseline and input
  std::string ig_baseline = "zero";  // zero | blur (Gaussian, ig_blur_sigma voxels)
  double ig_blur_sigma = 3.0;
  int smoothgrad_samples = 16;
  double smoothgrad_sigma = 0.1;                     // noise σ as a fraction of max(x) − min(x)
  uint64_t seed = 0;                                 // SmoothGrad noise
  std::array<int64_t, 3> occlusion_patch{1, 8, 8};   // D, H, W
  std::array<int64_t, 3> occlusion_stride{0, 0, 0};  // 0: the patch size
  // All: a patch covers every channel (Zeiler & Fergus; each channel of the
  // patch gets the drop). Each: one channel at a time, per-modality maps at C×
  // the forwards.
  OcclusionChannels occlusion_channels = OcclusionChannels::All;
  // Copies per pass; 0 picks per method what measured fastest on CPU (bench attribution,
  // widths 8 and 32, 1 and 2 threads): 2 for the gradient methods, whose backward at batch 8
  // falls out of cache (1.2–1.6× slower), and 8 for occlusion (forward only: batching pays).
  int batch = 0;
  int gradient_batch() const { return batch > 0 ? batch : 2; }
  int occlusion_batch() const { return batch > 0 ? batch : 8; }
};

// Throws lrpseg::Error naming the option for bad values; size_dhw is the
// network input size (an occlusion patch must fit in it).
void check_attribution_options(const AttributionOptions& options,
                               const std::array<int64_t, 3>& size_dhw);

// Scores of a batch (B, C, D, H, W) → (B); differentiable.
using Score = std::function<torch::Tensor(const torch::Tensor& batch)>;

// Σ over voxels and classes of weights ⊙ y, with y = net(batch) and weights
// (1, classes, D, H, W) of the target at the clean input (target_weights).
Score unet_score(UNet& net, const torch::Tensor& weights);
// 0/1 weights of `target` from the clean output y (1, classes, D, H, W): all
// ones; the lesion channel; the lesion channel at voxels predicted as lesion.
torch::Tensor target_weights(const torch::Tensor& y, Target target);

// Each returns (1, C, D, H, W) for x (1, C, D, H, W).
torch::Tensor gradient(const Score& score, const torch::Tensor& x);
torch::Tensor integrated_gradients(const Score& score, const torch::Tensor& x,
                                   const torch::Tensor& baseline, int steps, int batch);
torch::Tensor smoothgrad(const Score& score, const torch::Tensor& x, const AttributionOptions& o);
torch::Tensor occlusion(const Score& score, const torch::Tensor& x, const AttributionOptions& o);

// The IG baseline of options.ig_baseline for x.
torch::Tensor ig_baseline(const torch::Tensor& x, const AttributionOptions& options);

// `method` (not Lrp) for x on the net in x's precision, attributing the score
// Σ weights ⊙ net(x) (weights: target_weights of the clean output); eval mode,
// gradients only with respect to the input.
torch::Tensor attribute(UNet& net, const torch::Tensor& x, Method method,
                        const torch::Tensor& weights, const AttributionOptions& options);

}  // namespace lrpseg
