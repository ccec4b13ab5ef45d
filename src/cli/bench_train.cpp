#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/options.h"
#include "data/preprocess.h"
#include "train/benchmark.h"

namespace lrpseg::cli {

void add_bench_train(CLI::App* bench) {
  auto* cmd = bench->add_subcommand("train", "Seconds per training step (forward, backward, Adam)");
  auto o = std::make_shared<TrainBenchOptions>();
  auto size = std::make_shared<std::string>("19x48x48");
  auto json = std::make_shared<bool>(false);
  cmd->add_option("--width", o->width, "U-Net base width (paper: 32)")->check(CLI::PositiveNumber);
  cmd->add_option("--size", *size, "Input size DxHxW");
  add_threads_option(cmd, o->threads);
  add_device_option(cmd, o->device);
  cmd->add_flag("--amp", o->amp, "bfloat16 autocast (CUDA)");
  cmd->add_option("--repeat", o->repeat, "Timed steps")->check(CLI::PositiveNumber);
  cmd->add_flag("--json", *json, "Print the figures as one JSON object");
  cmd->callback([o, size, json] {
    o->size_dhw = parse_size_dhw(*size, "--size");
    TrainBenchResult r = run_train_benchmark(*o);
    std::cout << (*json ? to_json(r) + "\n" : to_text(r));
  });
}

}  // namespace lrpseg::cli
