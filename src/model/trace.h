#pragma once
// What a recorded forward pass keeps for relevance propagation: a tape of the
// layers in forward order, with the tensors each rule needs. The model fills it
// only when a Trace is passed to forward(); training and inference pay nothing.
#include <torch/torch.h>

#include <array>
#include <functional>
#include <string>
#include <vector>

namespace lrpseg {

enum class LayerKind { Conv, ConvTranspose, BatchNorm, LeakyReLU, ReLU, MaxPool, Crop, Concat };

const char* to_string(LayerKind kind);

// One layer application. Tensors are referred to by id (index into
// Trace::shapes); id 0 is the network input. A tensor read by two steps is a
// fork (h1, h2, h3 feed both the pool and the skip connection).
struct TraceStep {
  LayerKind kind;
  std::string name;         // "b1.conv1", "pool1", "up1", "crop1", "cat1", "head.conv", ...
  std::vector<int> inputs;  // tensor ids read (two for Concat: skip first, then upsampled)
  int output = -1;          // tensor id written

  // Conv / ConvTranspose: layer input X and the layer's parameters (shared, not copied).
  torch::Tensor input;
  torch::Tensor weight;
  torch::Tensor bias;  // undefined when the layer has none
  // f(X; companion weight) without bias, when Trace::companion asked for one.
  torch::Tensor companion;
  std::string companion_tag;
  std::array<int64_t, 3> stride{1, 1, 1};
  std::array<int64_t, 3> padding{0, 0, 0};

  // MaxPool (kernel 2, stride 2, ceil mode): input (above), argmax indices and output.
  torch::Tensor indices;
  torch::Tensor pooled;

  // BatchNorm (eval statistics), for folding into the preceding convolution.
  torch::Tensor bn_mean, bn_var, bn_weight, bn_bias;
  double bn_eps = 1e-5;

  // Crop: the input's (D,H,W) and the start offset of the kept window.
  std::array<int64_t, 3> crop_from_dhw{0, 0, 0};
  std::array<int64_t, 3> crop_offset_dhw{0, 0, 0};

  // Concat: channel count of each input, in forward order (skip, upsampled).
  std::vector<int64_t> split_channels;
};

// Extra output channels a convolution (not a transposed one) computes in the same call as its
// forward (weights stacked as output channels; e.g. LRP's Z = f(X; W+)). `tag` says what the weight
// is, for whoever reads TraceStep::companion; an undefined weight asks for nothing.
struct CompanionRequest {
  torch::Tensor weight;
  std::string tag;
};

struct Trace {
  // Optional, set before the forward: called for each Conv with
  // its kind, input tensor id, input and weight. Unset: the forward is the plain one.
  std::function<CompanionRequest(LayerKind, int input_id, const torch::Tensor& input,
                                 const torch::Tensor& weight)>
      companion;

  std::vector<TraceStep> steps;
  std::vector<std::vector<int64_t>> shapes;  // shape of each tensor id (batch first)
  torch::Tensor input;                       // network input (id 0)
  torch::Tensor output;                      // network output y
  int output_id = -1;

  // Steps that read tensor `id`, in forward order.
  std::vector<int> consumers(int id) const;
  // Index of the step named `name`; throws lrpseg::Error when absent.
  int find(const std::string& name) const;
};

// A tensor flowing through the forward pass with its id in the trace (-1 when
// not tracing).
struct Node {
  torch::Tensor value;
  int id = -1;
};

// Runs layers and, when given a Trace, appends what each one needs to it.
class Recorder {
 public:
  explicit Recorder(Trace* trace) : trace_(trace) {}
  bool tracing() const { return trace_ != nullptr; }

  Node input(const torch::Tensor& x);
  void output(const Node& y);

  Node conv(const std::string& name, torch::nn::Conv3d& layer, const Node& x);
  Node conv_transpose(const std::string& name, torch::nn::ConvTranspose3d& layer, const Node& x);
  Node batch_norm(const std::string& name, torch::nn::BatchNorm3d& layer, const Node& x);
  Node leaky_relu(const std::string& name, const Node& x, double negative_slope);
  Node relu(const std::string& name, const Node& x);
  Node max_pool(const std::string& name, const Node& x);
  // Crops x to size_dhw, centred (offset = floor(difference / 2)).
  Node crop(const std::string& name, const Node& x, std::array<int64_t, 3> size_dhw);
  Node concat(const std::string& name, const Node& skip, const Node& up);

 private:
  int add_tensor(const torch::Tensor& t);
  TraceStep& add_step(LayerKind kind, const std::string& name, std::vector<int> inputs,
                      const torch::Tensor& out);
  Trace* trace_;
};

}  // namespace lrpseg
