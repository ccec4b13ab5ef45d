#include "lrp/benchmark.h"

#include <malloc.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "lrp/memory_budget.h"
#include "lrp/relevance.h"
#include "model/unet.h"
#include "util/device.h"
#include "util/error.h"
#include "util/threads.h"

namespace lrpseg {

namespace {

struct Timing {
  double median = 0, min = 0;
};

Timing summarise(std::vector<double> t) {
  std::sort(t.begin(), t.end());
  return {t[t.size() / 2], t.front()};
}

// "VmRSS" / "VmHWM" of /proc/self/status in kB, or −1.
long status_kb(const std::string& key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
  }
  return -1;
}

// Peak resident memory that one run of `run` adds, in MB: freed heap goes back
// to the system first (malloc_trim), the high-water mark is reset (clear_refs 5,
// Linux ≥ 4.0), and VmHWM after the run minus VmRSS before is reported; −1 where
// the kernel does not allow the reset. In-process rather than in a forked child:
// GNU OpenMP's thread pool does not survive fork().
double peak_mb(const std::function<void()>& run) {
  malloc_trim(0);
  std::ofstream("/proc/self/clear_refs") << "5";
  const long before = status_kb("VmRSS");
  const long hwm_before = status_kb("VmHWM");
  if (before <= 0 || hwm_before < before || hwm_before > before + 1024) return -1;
  run();
  return (status_kb("VmHWM") - before) / 1024.0;
}

double forward_gflop(const Trace& trace) {
  double flop = 0;
  for (const TraceStep& s : trace.steps) {
    if (s.kind == LayerKind::Conv) {
      const double out = static_cast<double>(c10::multiply_integers(trace.shapes[s.output]));
      flop += 2.0 * out * static_cast<double>(s.weight[0].numel());
    } else if (s.kind == LayerKind::ConvTranspose) {
      flop += 2.0 * static_cast<double>(s.input.numel()) * static_cast<double>(s.weight[0].numel());
    }
  }
  return flop / 1e9;
}

std::string fixed(double v, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v;
  return s.str();
}

}  // namespace

UNet random_unet(int64_t width, uint64_t seed) {
  torch::manual_seed(seed);
  UNet net(UNetOptions{6, 2, width});
  torch::NoGradGuard no_grad;
  for (auto& b : net->named_buffers()) {
    if (b.key().find("running_mean") != std::string::npos) b.value().normal_(0.0, 0.1);
    if (b.key().find("running_var") != std::string::npos) b.value().uniform_(0.5, 2.0);
  }
  for (auto& p : net->named_parameters()) {
    if (p.value().dim() == 1 && p.key().find("bn") != std::string::npos) {
      if (p.key().find("weight") != std::string::npos) p.value().uniform_(0.5, 1.5);
      if (p.key().find("bias") != std::string::npos) p.value().normal_(0.0, 0.1);
    }
  }
  net->eval();
  return net;
}

LrpBenchResult run_lrp_benchmark(const LrpBenchOptions& options, std::ostream* log) {
  if (options.width < 1) throw UsageError("--width must be positive");
  if (options.repeat < 1) throw UsageError("--repeat must be at least 1");
  if (options.sweep < 1) throw UsageError("--sweep must be at least 1");
  LrpBenchResult result;
  result.options = options;
  result.threads = options.threads > 0 ? configure_threads(options.threads) : at::get_num_threads();

  const Precision precision = options.precision;
  const Precision second = other_precision(precision);
  LrpOptions one;
  one.precision = precision;
  LrpOptions other = one;
  other.precision = second;
  LrpOptions sweep = one;
  sweep.max_memory_bytes = options.max_memory_bytes;
  sweep.max_batch = options.max_batch;
  sweep.filters.clear();
  const std::vector<Filter> paper = paper_filters();
  for (int k = 0; k < options.sweep; ++k) sweep.filters.push_back(paper[k % paper.size()]);
  auto say = [&](const std::string& line) {
    if (log) *log << line << std::endl;
  };

  const torch::Device& device = options.device;
  UNet float_net = random_unet(options.width, options.seed);
  float_net->to(device);
  result.parameters = float_net->parameter_count();
  // Both precisions' networks made once, so that no timing includes a conversion.
  UNet net = with_dtype(float_net, dtype_of(precision));
  UNet other_net = with_dtype(float_net, dtype_of(second));
  const auto& s = options.size_dhw;
  const torch::Tensor x_float = torch::rand({1, 6, s[0], s[1], s[2]}).to(device);
  const torch::Tensor x = x_float.to(dtype_of(precision));
  const torch::Tensor x_other = x_float.to(dtype_of(second));
  torch::NoGradGuard no_grad;
  auto forward = [&] { net->forward(x); };
  auto forward_traced = [&] {
    Trace trace;
    net->forward(x, &trace);
  };
  auto explain_one = [&] { explain(net, x, one); };
  auto explain_other = [&] { explain(other_net, x_other, other); };
  auto explain_sweep = [&] { result.sweep_batch = explain(net, x, sweep).filter_batch; };

  {
    Trace trace;
    net->forward(x, &trace);
    result.gflop_forward = forward_gflop(trace);
    result.estimated_record_mb = recorded_bytes(trace) / 1e6;
    result.estimated_per_filter_mb =
        relevance_bytes_per_sample(trace, precision == Precision::Double ? 8 : 4) / 1e6;
  }
  explain_one();  // warm-up: thread pools, oneDNN primitives, allocator
  // Interleaved, so that load from other processes hits every figure alike.
  explain_other();
  std::vector<double> forward_t, traced_t, explain_t, other_t, sweep_t;
  for (int i = 0; i < options.repeat; ++i) {
    forward_t.push_back(timed_seconds(forward, device));
    traced_t.push_back(timed_seconds(forward_traced, device));
    explain_t.push_back(timed_seconds(explain_one, device));
    other_t.push_back(timed_seconds(explain_other, device));
    sweep_t.push_back(timed_seconds(explain_sweep, device));
    say("repeat " + std::to_string(i + 1) + ": forward " + fixed(forward_t.back(), 3) +
        " s, explanation " + fixed(explain_t.back(), 3) + " s (" + to_string(second) + " " +
        fixed(other_t.back(), 3) + " s), sweep " + fixed(sweep_t.back(), 3) + " s");
  }
  Timing t = summarise(forward_t);
  result.forward_s = t.median;
  result.forward_min_s = t.min;
  result.forward_traced_s = summarise(traced_t).median;
  t = summarise(explain_t);
  result.explain_s = t.median;
  result.explain_min_s = t.min;
  result.explain_other_s = summarise(other_t).median;
  t = summarise(sweep_t);
  result.sweep_batched_s = t.median;
  result.sweep_batched_min_s = t.min;
  result.sweep_separate_s = timed_seconds(
      [&] {
        for (const Filter& f : sweep.filters) {
          LrpOptions single = one;
          single.filters = {f};
          explain(net, x, single);
        }
      },
      device);
  say("sweep, " + std::to_string(options.sweep) + " separate runs " +
      fixed(result.sweep_separate_s, 3) + " s");
  if (device.is_cpu()) {  // resident host memory; a GPU's own is not read (−1: unmeasured)
    say("peak memory ...");
    result.peak_forward_mb = peak_mb(forward_traced);
    result.peak_explain_mb = peak_mb(explain_one);
    result.peak_sweep_mb = peak_mb(explain_sweep);
  }
  return result;
}

std::string to_text(const LrpBenchResult& r) {
  const auto& o = r.options;
  std::ostringstream s;
  const std::string k = std::to_string(o.sweep);
  s << "lrpseg bench lrp: U-Net width " << o.width << " (" << fixed(r.parameters / 1e6, 2)
    << " M parameters), input 6x" << o.size_dhw[0] << "x" << o.size_dhw[1] << "x" << o.size_dhw[2]
    << ", " << fixed(r.gflop_forward, 1) << " GFLOP per forward, " << device_name(o.device) << ", "
    << r.threads << " threads (" << openmp_wait_policy() << " OpenMP waits, OpenBLAS "
    << openblas_core() << "), " << to_string(o.precision) << ", median of " << o.repeat << "\n"
    << "  forward                        " << fixed(r.forward_s, 3) << " s  (min "
    << fixed(r.forward_min_s, 3) << "; keeping activations " << fixed(r.forward_traced_s, 3)
    << ")\n"
    << "  explanation, 1 filter          " << fixed(r.explain_s, 3) << " s  (min "
    << fixed(r.explain_min_s, 3) << ")  = " << fixed(r.explain_over_forward(), 2) << " x forward\n"
    << "  explanation, other precision   " << fixed(r.explain_other_s, 3)
    << " s  float64/float32 = " << fixed(r.double_over_float(), 2) << "\n"
    << "  sweep, " << k << " filters batched     " << fixed(r.sweep_batched_s, 3) << " s  (min "
    << fixed(r.sweep_batched_min_s, 3) << ")\n"
    << "  sweep, " << k << " separate runs       " << fixed(r.sweep_separate_s, 3)
    << " s  batched/separate = " << fixed(r.batched_over_separate(), 3) << "\n"
    << "  filter batch                   " << r.sweep_batch << " of " << k
    << " per relevance pass (estimate: forward record " << fixed(r.estimated_record_mb, 1)
    << " MB + " << fixed(r.estimated_per_filter_mb, 1) << " MB per filter)\n";
  if (r.peak_forward_mb < 0 || r.peak_explain_mb < 0 || r.peak_sweep_mb < 0) {
    s << "  peak memory: not measured ("
      << (o.device.is_cpu() ? "needs /proc/self/clear_refs" : "host memory only; on a GPU")
      << ")\n";
  } else {
    s << "  peak memory: forward with activations " << fixed(r.peak_forward_mb, 1)
      << " MB, explanation " << fixed(r.peak_explain_mb, 1)
      << " MB (= " << fixed(r.peak_explain_over_forward(), 2) << " x), batched sweep "
      << fixed(r.peak_sweep_mb, 1) << " MB\n";
  }
  return s.str();
}

double LrpBenchResult::double_over_float() const {
  return options.precision == Precision::Float ? explain_other_s / explain_s
                                               : explain_s / explain_other_s;
}

std::string to_json(const LrpBenchResult& r) {
  const auto& o = r.options;
  // null, not −1 or a ratio of two −1s, for what was not measured.
  auto measured = [](double mb) { return mb >= 0 ? nlohmann::json(mb) : nlohmann::json(nullptr); };
  const bool memory = r.peak_forward_mb > 0 && r.peak_explain_mb >= 0;
  nlohmann::json j = {
      {"width", o.width},
      {"size", std::to_string(o.size_dhw[0]) + "x" + std::to_string(o.size_dhw[1]) + "x" +
                   std::to_string(o.size_dhw[2])},
      {"precision", to_string(o.precision)},
      {"device", device_name(o.device)},
      {"threads", r.threads},
      {"omp_wait_policy", openmp_wait_policy()},
      {"openblas_core", openblas_core()},
      {"repeat", o.repeat},
      {"parameters", r.parameters},
      {"gflop_forward", r.gflop_forward},
      {"forward_s", r.forward_s},
      {"forward_min_s", r.forward_min_s},
      {"forward_traced_s", r.forward_traced_s},
      {"explain_s", r.explain_s},
      {"explain_min_s", r.explain_min_s},
      {"explain_over_forward", r.explain_over_forward()},
      {"explain_other_precision_s", r.explain_other_s},
      {"explain_double_over_float", r.double_over_float()},
      {"sweep_filters", o.sweep},
      {"sweep_batched_s", r.sweep_batched_s},
      {"sweep_batched_min_s", r.sweep_batched_min_s},
      {"sweep_separate_s", r.sweep_separate_s},
      {"sweep_batched_over_separate", r.batched_over_separate()},
      {"sweep_batch", r.sweep_batch},
      {"estimated_record_mb", r.estimated_record_mb},
      {"estimated_per_filter_mb", r.estimated_per_filter_mb},
      {"peak_forward_mb", measured(r.peak_forward_mb)},
      {"peak_explain_mb", measured(r.peak_explain_mb)},
      {"peak_sweep_mb", measured(r.peak_sweep_mb)},
      {"peak_explain_over_forward",
       memory ? nlohmann::json(r.peak_explain_over_forward()) : nlohmann::json(nullptr)}};
  return j.dump();
}

}  // namespace lrpseg
