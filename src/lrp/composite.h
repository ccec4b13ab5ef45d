#pragma once
// Which rule goes to which layer (Zennit's "composite"), and every LRP default in
// one place. The defaults are the paper's: z+ for hidden (transposed)
// convolutions and the head, z^B with bounds [0, 1] for the first convolution,
// winner-takes-all pooling, pass-through BatchNorm and activations, zero-padded
// crops, channel cleave at concatenations, sum at forks, no filter. Other
// composites are presets by name (Zennit's definitions, composite_presets()).
#include <string>
#include <vector>

#include "lrp/filters.h"
#include "lrp/rule_catalog.h"
#include "lrp/rules.h"
#include "model/trace.h"

namespace lrpseg {

enum class Merge { Sum, Paper };  // Paper: R = f·R_skip + (1−f)·R_pool at forks
enum class Target { All, Lesion, LesionMask };

const char* to_string(Target target);
Target parse_target(const std::string& name);  // "all" | "lesion" | "lesion-mask"
// "sum" or "paper:f" (f in [0, 1]; "paper" alone means f = 0.5).
void parse_merge(const std::string& spec, Merge& merge, double& skip_fraction);
std::string merge_to_string(Merge merge, double skip_fraction);

// The paper's 15 places where the filter acts (Fig. 2), by name: "output" (R0),
// "<step>" for the relevance a step sends to its input, "<concat>.skip" and
// "<concat>.up" for the two cleaved pieces. b1.conv1 … b4.conv1 are "after each
// encoder block" (the relevance at the block input); none after pools or merges.
std::vector<std::string> paper_filter_places();

// Rules per layer class of a named composite.
struct CompositePreset {
  const char* name;
  const char* first_conv;   // the convolution reading the network input
  const char* hidden_conv;  // every other Conv3d, including the head
  const char* transposed;   // ConvTranspose3d
  const char* description;
};

// paper, epsilon-plus, epsilon-gamma-box, epsilon-alpha2-beta1. The U-Net has no
// dense layers, so Zennit's "epsilon for dense layers" part has nothing to act on.
const std::vector<CompositePreset>& composite_presets();
// Throws lrpseg::Error naming --composite for an unknown name.
const CompositePreset& composite_preset(const std::string& name);

enum class Precision { Float, Double };
const char* to_string(Precision precision);
Precision parse_precision(const std::string& name);  // "float" | "double"
torch::Dtype dtype_of(Precision precision);
Precision other_precision(Precision precision);  // float ↔ double

struct LrpOptions {
  std::string composite = "paper";
  std::string hidden_rule;  // overrides the composite's hidden and transposed rule ("" = keep)
  std::string first_rule;   // overrides the composite's first-layer rule ("" = keep)
  RuleParameters rule;      // ε, γ, α, β, z^B bounds
  Precision precision = Precision::Double;
  bool fold_bn = false;  // fold eval BN into the preceding convolution
  Merge merge = Merge::Sum;
  double merge_skip_fraction = 0.5;  // f of the paper merge
  Target target = Target::All;
  std::vector<Filter> filters{Filter::raw()};  // K settings → a batch of K
  std::vector<std::string> filter_places = paper_filter_places();
  bool record_stages = false;  // Σ R per step, for conservation checks
  bool record_health = false;  // near-zero denominators per convolution
  // explain(): compute Z's activation term in the forward's own convolution call
  // (weights stacked as extra output channels) and keep it until the relevance
  // pass reaches the layer; false recomputes it there, using less memory.
  bool fuse_forward = true;
  // explain(): at most this many filter settings per relevance pass (0: all K
  // at once). Later passes reuse the recorded forward; this bounds the memory
  // of a large sweep at a big input size.
  int max_batch = 0;
  // explain(): the memory the recorded forward and one relevance pass may use;
  // the filter batch is the largest that fits (lrp/memory_budget.h). 0: 80 % of
  // the memory available when the pass starts; on a GPU, whose free memory
  // LibTorch 1.13's API does not tell, 0 means all K at once.
  int64_t max_memory_bytes = 0;
  // Where the model and the relevance pass run: the commands move a loaded model
  // there (explain() itself runs on the model's device).
  torch::Device device = torch::kCPU;
};

// One line per option, "name = value", for logs, model.json and the report.
std::string describe(const LrpOptions& options);

struct Composite {
  ConvRule first_conv;   // the convolution reading the network input (tensor 0)
  ConvRule hidden_conv;  // every other Conv3d, including the head
  ConvRule transposed;   // ConvTranspose3d
  double pool_epsilon = 1e-9;

  // Throws lrpseg::Error naming the option for unknown names or bad parameters.
  explicit Composite(const LrpOptions& options);
  const ConvRule& rule_for(const TraceStep& step) const;
  const ConvRule& rule_for(LayerKind kind, int input_id) const;
};

}  // namespace lrpseg
