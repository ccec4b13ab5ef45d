#include <iostream>
#include <memory>

#include "attribution/benchmark.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "data/preprocess.h"

namespace lrpseg::cli {

void add_bench_attribution(CLI::App* bench) {
  auto* cmd = bench->add_subcommand(
      "attribution", "Baseline attributions (gradient, IG, SmoothGrad, occlusion) × forward");
  auto o = std::make_shared<AttributionBenchOptions>();
  auto size = std::make_shared<std::string>("19x48x48");
  auto precision = std::make_shared<std::string>("float");
  auto json = std::make_shared<bool>(false);
  auto methods = std::make_shared<MethodOptions>();
  cmd->add_option("--width", o->width, "U-Net base width (paper: 32)")->check(CLI::PositiveNumber);
  cmd->add_option("--size", *size, "Input size DxHxW");
  cmd->add_option("--precision", *precision, "float or double");
  add_threads_option(cmd, o->threads);
  auto check_methods = add_method_options(cmd, *methods, "gradient,integrated-gradients");
  cmd->add_flag("--json", *json, "Print the figures as one JSON object");
  cmd->callback([o, size, precision, json, methods, check_methods] {
    check_methods();
    o->size_dhw = parse_size_dhw(*size, "--size");
    o->precision = parse_precision(*precision);
    o->methods = methods->methods;
    o->attribution = methods->attribution;
    AttributionBenchResult r = run_attribution_benchmark(*o, *json ? nullptr : &std::cerr);
    std::cout << (*json ? r.to_json() + "\n" : r.to_text());
  });
}

}  // namespace lrpseg::cli
