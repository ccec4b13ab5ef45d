#include <iostream>
#include <memory>

#include "attribution/benchmark.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "data/preprocess.h"
#include "io/isles.h"
#include "util/error.h"

namespace lrpseg::cli {

void add_bench_attribution(CLI::App* bench) {
  auto* cmd = bench->add_subcommand(
      "attribution", "Baseline attributions (gradient, IG, SmoothGrad, occlusion) × forward");
  auto o = std::make_shared<AttributionBenchOptions>();
  auto size = std::make_shared<std::string>("19x48x48");
  auto precision = std::make_shared<std::string>("float");
  auto json = std::make_shared<bool>(false);
  auto methods = std::make_shared<MethodOptions>();
  auto data = std::make_shared<std::string>();
  auto case_number = std::make_shared<std::string>();
  cmd->add_option("--width", o->width, "U-Net base width (paper: 32)")->check(CLI::PositiveNumber);
  cmd->add_option("--size", *size, "Input size DxHxW");
  cmd->add_option("--precision", *precision, "Precision of the network")
      ->check(CLI::IsMember({"float", "double"}));
  add_threads_option(cmd, o->threads);
  add_device_option(cmd, o->device);
  auto check_methods = add_method_options(cmd, *methods, "gradient,integrated-gradients",
                                          /*with_precision=*/false);
  cmd->add_option("--data", *data,
                  "ISLES-format dataset whose --case is the input (default: random)");
  cmd->add_option("--case", *case_number, "Case number in --data, e.g. 17");
  cmd->add_flag("--json", *json, "Print the figures as one JSON object");
  cmd->callback([o, size, precision, json, methods, check_methods, data, case_number] {
    check_methods();
    o->size_dhw = parse_size_dhw(*size, "--size");
    if (data->empty() != case_number->empty()) throw UsageError("--data and --case go together");
    if (!data->empty()) {
      const std::vector<CaseFiles> cases = choose_cases(discover_dataset(*data), *case_number, "");
      if (cases.size() != 1) throw UsageError("--case: give one case");
      PreprocessOptions pre;
      pre.size_dhw = o->size_dhw;
      o->input = preprocess_image(load_case(cases[0]).image, pre).unsqueeze(0);
      o->input_name = cases[0].name;
    }
    o->precision = parse_precision(*precision);
    o->methods = methods->methods;
    o->attribution = methods->attribution;
    AttributionBenchResult r = run_attribution_benchmark(*o, *json ? nullptr : &std::cerr);
    std::cout << (*json ? r.to_json() + "\n" : r.to_text());
  });
}

}  // namespace lrpseg::cli
