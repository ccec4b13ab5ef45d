#include "attribution/benchmark.h"

#include <algorithm>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lrp/benchmark.h"
#include "util/device.h"
#include "util/error.h"
#include "util/threads.h"

namespace lrpseg {

AttributionBenchResult run_attribution_benchmark(const AttributionBenchOptions& options,
                                                 std::ostream* log) {
  if (std::find(options.methods.begin(), options.methods.end(), Method::Lrp) !=
      options.methods.end()) {
    throw UsageError("--method: lrp is timed by `lrpseg bench lrp`");
  }
  check_attribution_options(options.attribution, options.size_dhw);
  AttributionBenchResult result;
  result.options = options;
  result.threads = options.threads > 0 ? configure_threads(options.threads) : at::get_num_threads();
  UNet random = random_unet(options.width, options.seed);
  random->to(options.device);
  UNet net = with_dtype(random, dtype_of(options.precision));
  const auto& s = options.size_dhw;
  const torch::Tensor x =
      (options.input.defined() ? options.input : torch::rand({1, 6, s[0], s[1], s[2]}))
          .to(options.device, dtype_of(options.precision));
  torch::Tensor weights;
  std::vector<double> forward;
  {
    torch::NoGradGuard no_grad;
    weights = target_weights(net->forward(x), Target::All);  // also the warm-up
    for (int i = 0; i < 3; ++i)
      forward.push_back(timed_seconds([&] { net->forward(x); }, options.device));
  }
  std::sort(forward.begin(), forward.end());
  result.forward_s = forward[1];
  for (Method m : options.methods) {
    const double t =
        timed_seconds([&] { attribute(net, x, m, weights, options.attribution); }, options.device);
    result.seconds.push_back({m, t});
    if (log) *log << to_string(m) << " " << t << " s" << std::endl;
  }
  return result;
}

std::string AttributionBenchResult::to_text() const {
  std::ostringstream out;
  const auto& s = options.size_dhw;
  out << std::fixed << std::setprecision(3) << "lrpseg bench attribution: U-Net width "
      << options.width << ", input 6x" << s[0] << "x" << s[1] << "x" << s[2] << ", "
      << lrpseg::to_string(options.precision) << ", " << device_name(options.device) << ", "
      << threads << " threads, input " << options.input_name << "\n"
      << "  forward                 " << forward_s << " s\n";
  for (const auto& [m, t] : seconds) {
    out << "  " << std::left << std::setw(24) << lrpseg::to_string(m) << t
        << " s  = " << std::setprecision(1) << t / forward_s << " x forward\n"
        << std::setprecision(3);
  }
  return out.str();
}

std::string AttributionBenchResult::to_json() const {
  const auto& a = options.attribution;
  nlohmann::json methods = nlohmann::json::object();
  for (const auto& [m, t] : seconds) {
    methods[lrpseg::to_string(m)] = {{"seconds", t}, {"over_forward", t / forward_s}};
  }
  return nlohmann::json{{"width", options.width},
                        {"size", options.size_dhw},
                        {"precision", lrpseg::to_string(options.precision)},
                        {"device", device_name(options.device)},
                        {"threads", threads},
                        {"ig_steps", a.ig_steps},
                        {"smoothgrad_samples", a.smoothgrad_samples},
                        {"occlusion_patch", a.occlusion_patch},
                        {"batch", a.batch},
                        {"occlusion_channels", to_string(a.occlusion_channels)},
                        {"input", options.input_name},
                        {"forward_s", forward_s},
                        {"methods", methods}}
      .dump();
}

}  // namespace lrpseg
