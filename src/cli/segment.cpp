#include "infer/segment.h"

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/options.h"

namespace lrpseg::cli {

void add_segment(CLI::App& app) {
  auto* cmd = app.add_subcommand("segment", "Segment cases with a trained checkpoint");
  auto o = std::make_shared<SegmentOptions>();
  auto cases = std::make_shared<std::string>();
  auto split = std::make_shared<std::string>();
  cmd->add_option("--model", o->model_dir, "Checkpoint directory")->required();
  cmd->add_option("--data", o->data_dir, "ISLES-format dataset directory")->required();
  cmd->add_option("--out", o->out_dir, "Output directory for predictions and dice.csv")->required();
  cmd->add_option("--cases", *cases, "Case numbers, e.g. 1,4,27 or 1-10 (default: all)");
  cmd->add_option("--split", *split, "Cases of this split")
      ->check(CLI::IsMember({"training", "test", "all"}));
  add_threads_option(cmd, o->threads);
  cmd->add_flag("--quiet", o->quiet, "No progress output");
  cmd->callback([=] {
    o->cases = choose_cases(discover_isles(o->data_dir), *cases, *split);
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
