#include "infer/explain_cases.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "data/preprocess.h"
#include "infer/segment.h"
#include "io/nifti.h"
#include "lrp/relevance.h"
#include "metrics/dice.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {

namespace fs = std::filesystem;
using nlohmann::json;

torch::Tensor case_grid_relevance(const CaseExplanation& c, int64_t k) {
  const torch::Tensor r = c.explanation.relevance[k];
  const auto grid = c.case_index.sizes();
  return r.reshape({r.size(0), -1})
      .index_select(1, c.case_index.reshape({-1}))
      .reshape({r.size(0), grid[0], grid[1], grid[2]});
}

std::optional<CaseExplanation> select_filters(const CaseExplanation& c,
                                              const std::vector<std::string>& filters) {
  const auto& have = c.explanation.filters;
  std::vector<int64_t> index;
  for (const auto& f : filters) {
    const auto it = std::find(have.begin(), have.end(), f);
    if (it == have.end()) return std::nullopt;
    index.push_back(it - have.begin());
  }
  const torch::Tensor k = torch::tensor(index, torch::kLong);
  CaseExplanation out = c;
  out.check.reset();
  Explanation& e = out.explanation;
  e.filters = filters;
  e.relevance = c.explanation.relevance.index_select(0, k);
  e.max_abs_per_channel = c.explanation.max_abs_per_channel.index_select(0, k);
  if (e.sum_output.defined()) e.sum_output = e.sum_output.index_select(0, k);
  if (e.sum_input.defined()) e.sum_input = e.sum_input.index_select(0, k);
  return out;
}

std::string filter_file_tag(const std::string& filter) {
  std::string tag = filter;
  for (char& c : tag) {
    if (c == ':') c = '_';
  }
  return tag;
}

namespace {

json channel_values(const torch::Tensor& values) {
  json j = json::object();
  for (size_t c = 0; c < kModalities.size(); ++c) j[kModalities[c]] = values[c].item<double>();
  return j;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

json health_json(const std::vector<LayerHealth>& health) {
  json j = json::object();
  for (const LayerHealth& h : health) j[h.name] = h.near_zero_fraction;
  return j;
}

json precision_check_json(const CaseExplanation& c, const LrpOptions& lrp) {
  const PrecisionCheck& check = *c.check;
  json filters = json::array();
  for (size_t k = 0; k < check.agreement.size(); ++k) {
    const RelevanceAgreement& a = check.agreement[k];
    filters.push_back({{"filter", c.explanation.filters[k]},
                       {"pearson", a.pearson},
                       {"spearman", a.spearman},
                       {"max_relative_error", a.max_relative_error}});
  }
  const std::string main = to_string(lrp.precision), other = to_string(check.precision);
  return {{"compared", "float vs double (reference), network size"},
          {"other_precision", other},
          {"seconds_other", check.seconds},
          {"filters", filters},
          {"near_zero_denominators",
           {{"threshold", "|Z| <= 1e-6 max|Z|"},
            {main, health_json(c.explanation.health)},
            {other, health_json(check.explanation.health)}}}};
}

}  // namespace

json describe(const MethodOptions& m) {
  json j = json::object();
  const AttributionOptions& a = m.attribution;
  for (Method method : m.methods) {
    switch (method) {
      case Method::Lrp:
        continue;
      case Method::IntegratedGradients:
        j[to_string(method)] = {{"steps", a.ig_steps}, {"baseline", a.ig_baseline}};
        if (a.ig_baseline == "blur") j[to_string(method)]["blur_sigma"] = a.ig_blur_sigma;
        break;
      case Method::SmoothGrad:
        j[to_string(method)] = {
            {"samples", a.smoothgrad_samples}, {"sigma", a.smoothgrad_sigma}, {"seed", a.seed}};
        break;
      case Method::Occlusion: {
        std::array<int64_t, 3> stride = a.occlusion_patch;
        for (int d = 0; d < 3; ++d)
          if (a.occlusion_stride[d] > 0) stride[d] = a.occlusion_stride[d];
        j[to_string(method)] = {{"patch", a.occlusion_patch},
                                {"stride", stride},
                                {"channels", to_string(a.occlusion_channels)}};
        break;
      }
      case Method::Gradient:
      case Method::GradientXInput:
        j[to_string(method)] = json::object();
        break;
    }
  }
  if (j.empty()) return nullptr;
  j["precision"] = to_string(m.precision);
  j["batch"] = a.batch;
  return j;
}

Explanation explain_methods(UNet& net, const torch::Tensor& x, const LrpOptions& lrp,
                            const MethodOptions& methods) {
  Explanation e;
  UNet run = with_dtype(net, dtype_of(lrp.precision));
  const torch::Device device = device_of(net);
  const torch::Tensor input = x.to(device, dtype_of(lrp.precision));
  if (methods.has(Method::Lrp)) {
    e = explain(run, input, lrp);
  } else {
    torch::NoGradGuard no_grad;
    run->eval();
    e.output = run->forward(input);
  }
  // The target's score at the clean input, which the other methods attribute.
  const torch::Tensor weights = target_weights(e.output, lrp.target);
  const torch::Tensor score = (weights * e.output).sum().to(torch::kDouble).view({1});
  auto append = [](torch::Tensor& all, const torch::Tensor& one) {
    all = all.defined() ? torch::cat({all, one}) : one;
  };
  const auto dtype = dtype_of(methods.precision);
  UNet baseline_net = with_dtype(net, dtype);
  const torch::Tensor baseline_input = x.to(device, dtype), baseline_weights = weights.to(dtype);
  for (Method m : methods.methods) {
    if (m == Method::Lrp) continue;
    const torch::Tensor a =
        attribute(baseline_net, baseline_input, m, baseline_weights, methods.attribution)
            .to(input.scalar_type());
    append(e.relevance, a);
    append(e.sum_output, score);
    append(e.sum_input, a.sum({1, 2, 3, 4}, false, torch::kDouble));
    append(e.max_abs_per_channel, a.abs().amax({2, 3, 4}));
    e.filters.push_back(to_string(m));
  }
  return on_cpu(std::move(e));
}

CaseExplanation explain_case(UNet& net, const CaseFiles& files, const PreprocessOptions& pre,
                             const LrpOptions& lrp_options, bool check_precision,
                             const MethodOptions& methods) {
  CaseExplanation c;
  c.volumes = load_case(files);
  const std::array<int64_t, 3> grid{c.volumes.image.size(1), c.volumes.image.size(2),
                                    c.volumes.image.size(3)};
  c.input = preprocess_image(c.volumes.image, pre);
  LrpOptions lrp = lrp_options;
  lrp.record_health = lrp.record_health || check_precision;
  auto t0 = std::chrono::steady_clock::now();
  c.explanation = explain_methods(net, c.input.unsqueeze(0), lrp, methods);
  c.seconds = seconds_since(t0);
  c.prediction = resize_label(c.explanation.output.argmax(1).squeeze(0).to(torch::kUInt8), grid);
  if (c.volumes.label.defined()) c.dice = dice_score(c.prediction, c.volumes.label);
  c.case_index = nearest_index_map({c.input.size(1), c.input.size(2), c.input.size(3)}, grid);
  if (check_precision) {
    PrecisionCheck check;
    LrpOptions other = lrp;
    other.precision = check.precision = other_precision(lrp.precision);
    MethodOptions other_methods = methods;  // every map in its other precision
    other_methods.precision = other_precision(methods.precision);
    t0 = std::chrono::steady_clock::now();
    check.explanation = explain_methods(net, c.input.unsqueeze(0), other, other_methods);
    check.seconds = seconds_since(t0);
    // Each map's float32 version against its float64 one: LRP's maps come first.
    const torch::Tensor& mine = c.explanation.relevance;
    const torch::Tensor& theirs = check.explanation.relevance;
    const int64_t lrp_maps =
        methods.has(Method::Lrp) ? static_cast<int64_t>(lrp.filters.size()) : 0;
    for (int64_t k = 0; k < mine.size(0); ++k) {
      const Precision p = k < lrp_maps ? lrp.precision : methods.precision;
      const torch::Tensor a = mine.narrow(0, k, 1), b = theirs.narrow(0, k, 1);
      check.agreement.push_back(
          (p == Precision::Float ? compare_relevance(a, b) : compare_relevance(b, a)).front());
    }
    c.check = std::move(check);
  }
  return c;
}

json write_case_explanation(const CaseExplanation& c, const std::string& dir_text,
                            const LrpOptions& lrp, bool native, const json& extra) {
  fs::path dir(dir_text);
  fs::create_directories(dir);
  const CaseVolumes& v = c.volumes;
  write_nifti((dir / "prediction.nii.gz").string(), c.prediction, v.geometry, OutputType::Label);
  const std::array<int64_t, 3> net_size{c.input.size(1), c.input.size(2), c.input.size(3)};
  NiftiHeader native_header = resampled_header(v.geometry, net_size);
  if (native) {
    fs::create_directories(dir / "native");
    write_nifti((dir / "native/input.nii.gz").string(), c.input, native_header,
                OutputType::Float32);
  }
  json summary = {{"case", v.name},
                  {"network_size_dhw", net_size},
                  {"case_size_dhw", {v.image.size(1), v.image.size(2), v.image.size(3)}},
                  {"modalities", std::vector<std::string>(kModalities.begin(), kModalities.end())},
                  {"lrp", describe(lrp)},
                  {"predicted_voxels", c.prediction.sum().item<int64_t>()},
                  {"seconds_lrp", c.seconds}};
  if (c.dice >= 0) {
    summary["dice"] = c.dice;
    summary["true_voxels"] = v.label.sum().item<int64_t>();
  } else {
    summary["dice"] = nullptr;
  }
  const Explanation& e = c.explanation;
  json filters = json::array();
  for (size_t k = 0; k < e.filters.size(); ++k) {
    const auto i = static_cast<int64_t>(k);
    const std::string file = "relevance_" + filter_file_tag(e.filters[k]) + ".nii.gz";
    write_nifti((dir / file).string(), case_grid_relevance(c, i), v.geometry, OutputType::Float32);
    if (native) {
      write_nifti((dir / "native" / file).string(), e.relevance[i], native_header,
                  OutputType::Float32);
    }
    filters.push_back({{"filter", e.filters[k]},
                       {"file", file},
                       {"max_abs_per_channel", channel_values(e.max_abs_per_channel[i])},
                       {"sum_output", e.sum_output[i].item<double>()},
                       {"sum_input", e.sum_input[i].item<double>()}});
  }
  summary["filters"] = filters;
  summary["precision"] = to_string(lrp.precision);
  if (c.check) summary["precision_check"] = precision_check_json(c, lrp);
  summary.update(extra);
  write_text_atomically((dir / "summary.json").string(), summary.dump(2) + "\n");
  return summary;
}

}  // namespace lrpseg
