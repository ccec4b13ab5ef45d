#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "io/nifti.h"
#include "io/nifti_summary.h"
#include "model/unet.h"
#include "util/error.h"

namespace lrpseg::cli {

void add_info(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("info", "Print a JSON summary of a NIfTI file, or of a U-Net's size");
  auto file = std::make_shared<std::string>();
  auto width = std::make_shared<int64_t>(0);
  cmd->add_option("file", *file, "NIfTI file (.nii, .nii.gz)");
  cmd->add_option("--model-width", *width,
                  "Print the parameter count of the U-Net of this base width")
      ->check(CLI::PositiveNumber);
  cmd->callback([file, width] {
    if (!file->empty() && *width > 0)
      throw Error("info: give either a NIfTI file or --model-width");
    if (*width > 0) {
      UNet net(UNetOptions{6, 2, *width});
      nlohmann::json j = {{"width", *width}, {"parameters", net->parameter_count()}};
      std::cout << j.dump(2) << "\n";
      return;
    }
    if (file->empty()) throw Error("info: give a NIfTI file or --model-width");
    std::cout << nifti_summary(read_nifti(*file, NonFinite::Keep)).dump(2) << "\n";
  });
}

}  // namespace lrpseg::cli
