#pragma once
// Rewrites what a rule sees of a layer before attributing (Zennit's "canonizer"):
// optionally folds the eval-mode BatchNorm that follows a convolution into the
// convolution's weight and bias, so the rule acts on the affine map the network
// really computes; the BatchNorm itself then passes relevance through.
#include "lrp/rules.h"
#include "model/trace.h"

namespace lrpseg {

// The ConvLayer of trace step `step` (Conv or ConvTranspose), with the following
// BatchNorm folded in when fold_bn is set and the conv's only reader is one.
ConvLayer conv_layer(const Trace& trace, int step, bool fold_bn);

}  // namespace lrpseg
