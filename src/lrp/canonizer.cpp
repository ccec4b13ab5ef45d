#include "lrp/canonizer.h"

namespace lrpseg {

ConvLayer conv_layer(const Trace& trace, int step_index, bool fold_bn) {
  const TraceStep& step = trace.steps[step_index];
  ConvLayer layer;
  layer.transposed = step.kind == LayerKind::ConvTranspose;
  layer.input = step.input;
  layer.weight = step.weight;
  layer.bias = step.bias;
  layer.stride = step.stride;
  layer.padding = step.padding;
  if (!fold_bn) return layer;

  const std::vector<int> readers = trace.consumers(step.output);
  if (readers.size() != 1 || trace.steps[readers[0]].kind != LayerKind::BatchNorm) return layer;
  const TraceStep& bn = trace.steps[readers[0]];
  // BN(y) = γ (y − μ)/√(σ² + eps) + β = scale·y + shift, per output channel.
  const torch::Tensor scale = bn.bn_weight / (bn.bn_var + bn.bn_eps).sqrt();
  const torch::Tensor shift = bn.bn_bias - bn.bn_mean * scale;
  const int64_t out_dim = layer.transposed ? 1 : 0;  // (C_in, C_out, k…) when transposed
  std::vector<int64_t> shape(5, 1);
  shape[out_dim] = -1;
  layer.weight = step.weight * scale.view(shape);
  layer.bias = step.bias.defined() ? step.bias * scale + shift : shift;
  return layer;
}

}  // namespace lrpseg
