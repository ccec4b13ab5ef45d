#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/config_file.h"
#include "data/preprocess.h"
#include "model/import_weights.h"
#include "util/folder_lock.h"

namespace lrpseg::cli {

void add_import(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "import",
      "A U-Net trained in PyTorch (state dict as .safetensors or torch.save .pt) as a "
      "checkpoint directory");
  add_config_option(cmd);
  auto o = std::make_shared<ImportOptions>();
  auto size = std::make_shared<std::string>("19x48x48");
  auto interpolation = std::make_shared<std::string>("nearest");
  auto names = std::make_shared<std::string>("lrpseg");
  cmd->add_option("--weights", o->weights,
                  "State dict: .safetensors, or a torch.save .pt (dict or OrderedDict of tensors) "
                  "(docs/checkpoint.md)")
      ->required();
  cmd->add_option("--names", *names,
                  "Tensor names: lrpseg, or paper-code (the paper's UNet3D: cblocks1-7, "
                  "deconv1-3, convf, bn)")
      ->check(CLI::IsMember({"lrpseg", "paper-code"}));
  cmd->add_option("--width", o->width, "U-Net base width the weights were trained with")
      ->required();
  cmd->add_option("--size", *size, "Network input size DxHxW the weights were trained at");
  cmd->add_option("--interpolation", *interpolation, "Input resizing used in training")
      ->check(CLI::IsMember({"nearest", "trilinear"}));
  cmd->add_option("--out", o->out_dir, "Checkpoint directory to create")->required();
  cmd->callback([o, size, interpolation, names] {
    o->names = parse_tensor_names(*names);
    o->size_dhw = parse_size_dhw(*size, "--size");
    o->interpolation = parse_interpolation(*interpolation, "--interpolation");
    const FolderLock lock(o->out_dir, "import");
    import_checkpoint(*o);
    std::cout << "wrote " << o->out_dir << " (width " << o->width << ", input " << *size << ")\n";
  });
}

}  // namespace lrpseg::cli
