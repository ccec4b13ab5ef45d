#include "infer/segment.h"

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/config_file.h"
#include "cli/options.h"
#include "util/folder_lock.h"

namespace lrpseg::cli {

void add_segment(CLI::App& app) {
  auto* cmd = app.add_subcommand("segment", "Segment cases with a trained checkpoint");
  add_config_option(cmd);
  auto o = std::make_shared<SegmentOptions>();
  cmd->add_option("--model", o->model_dir, "Checkpoint directory")->required();
  auto cases = add_case_options(cmd, /*images=*/true);
  cmd->add_option("--out", o->out_dir, "Output directory for predictions and dice.csv")->required();
  auto naming = std::make_shared<std::string>("case");
  cmd->add_option("--naming", *naming,
                  "File names: case (<case>.nii.gz, as explain's prediction and nnU-Net) or "
                  "isles (SMIR.lrpseg_<case>.<MTT id>.nii, for a challenge submission)")
      ->check(CLI::IsMember({"case", "isles"}));
  add_threads_option(cmd, o->threads);
  add_device_option(cmd, o->device);
  cmd->add_flag("--quiet", o->quiet, "No progress output");
  cmd->callback([=] {
    o->naming = parse_output_naming(*naming);
    o->cases = cases();
    const FolderLock lock(o->out_dir, "segment");
    auto rows = segment(*o);
    double sum = 0;
    int n = 0;
    for (const auto& r : rows) {
      if (r.dice >= 0) {
        sum += r.dice;
        ++n;
      }
    }
    std::cout << "wrote " << rows.size() << " segmentations to " << o->out_dir;
    if (n > 0) std::cout << "; mean Dice " << sum / n << " over " << n << " cases";
    std::cout << "\n";
  });
}

}  // namespace lrpseg::cli
