#pragma once
// The relevance pass: walks a recorded forward (model/trace.h) backwards, applies
// the composite's rule per layer, merges the messages at forks, and applies the
// filter schedule. K filter settings travel together as a batch of K relevance
// tensors over the one stored forward (DESIGN.md §3 "Batched sweep").
#include <torch/torch.h>

#include <string>
#include <vector>

#include "lrp/composite.h"
#include "model/trace.h"
#include "model/unet.h"

namespace lrpseg {

// Σ R per sample (K) on both sides of one step of the backward walk: `arriving`
// at its output, `leaving` toward its input(s), after the rule and before any
// filter. Fork merges appear as "fork:<producer>" (arriving = Σ of the messages).
struct StageSum {
  std::string name;
  torch::Tensor arriving;  // (K) float64
  torch::Tensor leaving;   // (K) float64
};

// Near-zero denominators of one convolution's rule (rules.h DenominatorHealth).
struct LayerHealth {
  std::string name;
  double near_zero_fraction = 0;
};

struct Explanation {
  torch::Tensor relevance;            // (K, C_in, D, H, W) at the network input
  std::vector<std::string> filters;   // the K settings, in batch order
  torch::Tensor sum_output;           // (K) Σ of the start relevance, before filtering
  torch::Tensor sum_input;            // (K) Σ of the relevance at the input
  torch::Tensor max_abs_per_channel;  // (K, C_in)
  std::vector<StageSum> stages;       // when options.record_stages
  std::vector<LayerHealth> health;    // when options.record_health, in backward order
  torch::Tensor output;               // explain(): the network output y it explains
  int64_t filter_batch = 0;           // explain(): filter settings per relevance pass
};

// R0 of the target (1, classes, D, H, W) from the post-ReLU output y: all = y;
// lesion = the lesion channel (the last) only; lesion-mask = the lesion channel
// at voxels predicted as lesion (argmax, ties to background) only.
torch::Tensor start_relevance(const torch::Tensor& y, Target target);

// Records a forward of `net` on x (1, C, D, H, W) in eval mode without autograd
// (the net's train/eval mode is restored) and propagates, both in
// options.precision (a converted copy of the net when its dtype differs), on the
// net's device (x is moved there); the Explanation's tensors stay on that device.
Explanation explain(UNet& net, const torch::Tensor& x, const LrpOptions& options);

// The Explanation with its tensors on the CPU (no copy for those already there).
Explanation on_cpu(Explanation e);

// Propagates from the network output with options.target.
Explanation propagate(const Trace& trace, const LrpOptions& options);

// Propagates from an arbitrary tensor of the trace (e.g. a concat output, to see
// where its channels go): relevance is (1 or K, …) with that tensor's shape.
// The "output" filter place applies to it.
Explanation propagate_from(const Trace& trace, const LrpOptions& options, int tensor_id,
                           const torch::Tensor& relevance);

}  // namespace lrpseg
