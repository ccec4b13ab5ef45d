#include <iostream>

#include "cli/commands.h"
#include "model/unet.h"
#include "util/error.h"

namespace lrpseg::cli {

void add_info(CLI::App& app) {
  auto* cmd = app.add_subcommand("info", "Print a JSON summary of a NIfTI file, or a model's size");
  auto file = std::make_shared<std::string>();
  auto width = std::make_shared<int64_t>(0);
  cmd->add_option("file", *file, "NIfTI file (.nii, .nii.gz)");
  cmd->add_option("--model-width", *width, "Print the parameter count of the U-Net of this base width")
      ->check(CLI::PositiveNumber);
  cmd->callback([file, width] {
    if (*width > 0) {
      UNet net(UNetOptions{6, 2, *width});
      std::cout << "{\"width\": " << *width << ", \"parameters\": " << net->parameter_count()
                << "}\n";
      return;
    }
    throw Error("info: give a NIfTI file or --model-width");
  });
}

}  // namespace lrpseg::cli
