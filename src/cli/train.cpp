#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/config_file.h"
#include "cli/options.h"
#include "io/isles.h"
#include "train/trainer.h"
#include "util/device.h"
#include "util/folder_lock.h"

namespace lrpseg::cli {

void add_train(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "Train the 3D U-Net on an ISLES-format dataset");
  add_config_option(cmd);
  auto o = std::make_shared<TrainOptions>();
  auto size = std::make_shared<std::string>("19x48x48");
  auto interpolation = std::make_shared<std::string>("nearest");
  auto loss = std::make_shared<std::string>("ce");
  auto cases = std::make_shared<std::string>();
  auto val_cases = std::make_shared<std::string>();
  cmd->add_option("--data", o->data_dir, "Dataset directory (ISLES 2017 or nnU-Net raw layout)")
      ->required();
  auto layout = std::make_shared<std::string>("auto");
  add_layout_option(cmd, *layout);
  add_nan_to_num_flag(cmd, o->nan_to_num);
  cmd->add_option("--out", o->out_dir, "Checkpoint directory to write")->required();
  cmd->add_option("--size", *size, "Network input size DxHxW");
  cmd->add_option("--interpolation", *interpolation, "Input resizing")
      ->check(CLI::IsMember({"nearest", "trilinear"}));
  cmd->add_option("--width", o->width, "Base width w of the U-Net (paper: 32)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--epochs", o->epochs, "Epochs")->check(CLI::PositiveNumber);
  cmd->add_option("--lr", o->lr, "Adam learning rate")->check(CLI::PositiveNumber);
  cmd->add_option("--loss", *loss, "Training loss")
      ->check(CLI::IsMember({"ce", "dice", "ce+dice"}));
  cmd->add_option("--cases", *cases,
                  "Training case numbers, e.g. 1-10,12 (default: all but --val-cases)");
  cmd->add_option("--val-cases", *val_cases, "Held-out case numbers; Dice after every epoch");
  cmd->add_option("--seed", o->seed, "Random seed (weights, case order)");
  cmd->add_option("--batch", o->batch,
                  "Samples per optimizer step over all ranks, gradients averaged (default: one "
                  "per rank; the paper trains with 1)")
      ->check(CLI::PositiveNumber);
  auto nproc = std::make_shared<int>(1);
  add_nproc_option(cmd, *nproc, "every optimizer step (data-parallel)");
  add_threads_option(cmd, o->threads);
  add_device_option(cmd, o->device);
  cmd->add_flag("--amp", o->amp, "bfloat16 autocast for the forward and loss (CUDA only)");
  cmd->add_flag("--resume", o->resume, "Continue the checkpoint in --out");
  cmd->add_flag("--quiet", o->quiet, "No progress output");
  cmd->callback([=] {
    o->preprocess.size_dhw = parse_size_dhw(*size, "--size");
    o->preprocess.interpolation = parse_interpolation(*interpolation, "--interpolation");
    o->loss = parse_loss(*loss, "--loss");
    o->layout = parse_dataset_layout(*layout);
    if (!cases->empty()) o->cases = parse_case_list(*cases, "--cases");
    if (!val_cases->empty()) o->val_cases = parse_case_list(*val_cases, "--val-cases");
    check_batch_for_ranks(o->batch, *nproc);  // before any rank starts
    check_amp(o->amp, o->device);
    JobRole job = start_or_join_job(*nproc, o->threads);
    if (job.launched) return;
    const auto lock = lock_job_output(job, o->out_dir, "train");  // rank 0 alone writes it
    TrainResult result = train(*o, job.group.get());
    if (job.rank == 0 && !result.log.empty()) {
      const auto& last = result.log.back();
      std::cout << "epoch " << last.epoch << ": train loss " << last.train_loss;
      if (last.val_dice >= 0) std::cout << ", validation Dice " << last.val_dice;
      std::cout << ", " << result.seconds_per_step << " s/step\n";
    }
  });
}

}  // namespace lrpseg::cli
