#include "train/benchmark.h"

#include <torch/torch.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "data/preprocess.h"
#include "model/unet.h"
#include "train/losses.h"
#include "util/device.h"
#include "util/error.h"
#include "util/threads.h"

namespace lrpseg {

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

TrainBenchResult run_train_benchmark(const TrainBenchOptions& o) {
  if (o.repeat <= 0) throw UsageError("--repeat: must be positive");
  check_amp(o.amp, o.device);
  TrainBenchResult r;
  r.options = o;
  r.threads = configure_threads(o.threads);
  torch::manual_seed(0);
  UNet net(UNetOptions{6, 2, o.width});
  net->to(o.device);
  torch::optim::Adam optimizer(net->parameters(),
                               torch::optim::AdamOptions(2e-4).betas(std::make_tuple(0.5, 0.9)));
  auto x = torch::rand({1, 6, o.size_dhw[0], o.size_dhw[1], o.size_dhw[2]}).to(o.device);
  auto y = (torch::rand({1, o.size_dhw[0], o.size_dhw[1], o.size_dhw[2]}) > 0.9)
               .to(torch::kLong)
               .to(o.device);
  auto step = [&] {
    optimizer.zero_grad();
    torch::Tensor loss;
    {
      const BFloat16Autocast autocast(o.amp);
      loss = segmentation_loss(net->forward(x).to(torch::kFloat), y, Loss::CrossEntropy);
    }
    loss.backward();
    optimizer.step();
  };
  step();  // warm-up: allocations, kernel selection
  std::vector<double> steps, forwards;
  for (int i = 0; i < o.repeat; ++i) steps.push_back(timed_seconds(step, o.device));
  net->eval();
  torch::NoGradGuard no_grad;
  net->forward(x);
  for (int i = 0; i < o.repeat; ++i)
    forwards.push_back(timed_seconds([&] { net->forward(x); }, o.device));
  r.step_seconds_median = median(steps);
  r.step_seconds_min = *std::min_element(steps.begin(), steps.end());
  r.forward_seconds_median = median(forwards);
  return r;
}

std::string to_text(const TrainBenchResult& r) {
  std::ostringstream out;
  out << "training step, width " << r.options.width << ", " << format_size_dhw(r.options.size_dhw)
      << ", batch 1, " << device_name(r.options.device)
      << (r.options.amp ? " (bfloat16 autocast)" : "") << ", " << r.threads << " threads, "
      << r.options.repeat << " steps\n"
      << "  step (forward + backward + Adam): median " << r.step_seconds_median << " s, min "
      << r.step_seconds_min << " s\n"
      << "  inference forward:                median " << r.forward_seconds_median << " s\n";
  return out.str();
}

std::string to_json(const TrainBenchResult& r) {
  nlohmann::json j = {{"benchmark", "train"},
                      {"width", r.options.width},
                      {"size_dhw", r.options.size_dhw},
                      {"device", device_name(r.options.device)},
                      {"amp", r.options.amp},
                      {"threads", r.threads},
                      {"repeat", r.options.repeat},
                      {"step_seconds_median", r.step_seconds_median},
                      {"step_seconds_min", r.step_seconds_min},
                      {"forward_seconds_median", r.forward_seconds_median}};
  return j.dump();
}

}  // namespace lrpseg
