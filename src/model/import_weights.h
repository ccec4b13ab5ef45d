#pragma once
// `lrpseg import`: a U-Net trained elsewhere (PyTorch) into a checkpoint
// directory, from model.safetensors or a torch.save'd state dict, with the
// architecture and preprocessing the weights do not carry given as options.
#include <array>
#include <string>

#include "data/preprocess.h"
#include "model/torch_save.h"

namespace lrpseg {

// Whose tensor names the weights use: lrpseg's own, or the paper's PyTorch code
// (model/paper_code_names.h).
enum class TensorNames { Lrpseg, PaperCode };
TensorNames parse_tensor_names(
    const std::string& text);  // lrpseg | paper-code; errors name --names

struct ImportOptions {
  std::string weights;  // .safetensors or torch.save .pt (dict or OrderedDict of tensors)
  int64_t width = 32;
  std::array<int64_t, 3> size_dhw{19, 48, 48};  // the network input size it was trained at
  Interpolation interpolation = Interpolation::Nearest;
  TensorNames names = TensorNames::Lrpseg;
  std::string out_dir;
};

// The tensors of a weights file, by its extension (.safetensors) or content.
NamedTensors read_weights_file(const std::string& path);

// Writes the checkpoint (model.pt, model.safetensors, model.json with
// "imported_from"). Throws lrpseg::Error naming the file and, in one line,
// every missing, extra or mis-shaped tensor; nothing is written then.
void import_checkpoint(const ImportOptions& options);

}  // namespace lrpseg
