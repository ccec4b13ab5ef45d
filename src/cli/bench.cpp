#include <iostream>

#include "cli/commands.h"
#include "cli/options.h"
#include "data/preprocess.h"
#include "lrp/benchmark.h"
#include "lrp/composite.h"
#include "util/error.h"
#include "util/threads.h"

namespace lrpseg::cli {

namespace {

struct BenchLrpArgs {
  int64_t width = LrpBenchOptions{}.width;
  std::string size = "19x48x48";
  int threads = 0;
  int repeat = LrpBenchOptions{}.repeat;
  int sweep = LrpBenchOptions{}.sweep;
  bool json = false;
  std::string precision = "float";
  double max_memory_gb = 0;
  int max_batch = 0;
  torch::Device device = torch::kCPU;
};

void add_bench_lrp(CLI::App* bench) {
  auto* cmd = bench->add_subcommand(
      "lrp", "Time forward, one explanation and a filter sweep (batched vs separate), peak memory");
  auto args = std::make_shared<BenchLrpArgs>();
  cmd->add_option("--width", args->width, "U-Net base width (paper: 32)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--size", args->size, "Input size DxHxW");
  add_threads_option(cmd, args->threads);
  add_device_option(cmd, args->device);
  cmd->add_option("--repeat", args->repeat, "Timed repetitions (median and min reported)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--sweep", args->sweep, "Filter settings in the sweep (paper: 16)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--precision", args->precision,
                  "Precision of every figure; the explanation is also timed in the other")
      ->check(CLI::IsMember({"float", "double"}));
  cmd->add_option("--max-memory", args->max_memory_gb,
                  "GB the sweep may use (default: 80% of the memory available)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-batch", args->max_batch,
                  "Filters per relevance pass at most (0: what fits)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--json", args->json, "Print the figures as one JSON object");
  cmd->callback([args] {
    LrpBenchOptions options;
    options.width = args->width;
    options.size_dhw = parse_size_dhw(args->size, "--size");
    options.repeat = args->repeat;
    options.sweep = args->sweep;
    options.max_memory_bytes = static_cast<int64_t>(args->max_memory_gb * double(1LL << 30));
    options.max_batch = args->max_batch;
    options.device = args->device;
    options.precision = parse_precision(args->precision);  // a bad value fails before any work
    options.threads = configure_threads(args->threads);
    try {
      at::set_num_interop_threads(options.threads);  // only possible once per process
    } catch (const c10::Error&) {
    }
    LrpBenchResult result = run_lrp_benchmark(options, args->json ? nullptr : &std::cerr);
    std::cout << (args->json ? to_json(result) + "\n" : to_text(result));
  });
}

}  // namespace

void add_bench(CLI::App& app) {
  auto* bench = app.add_subcommand("bench", "Benchmarks");
  bench->require_subcommand(1);
  add_bench_lrp(bench);
  add_bench_train(bench);
  add_bench_attribution(bench);
}

}  // namespace lrpseg::cli
