#include "infer/explain_cases.h"

#include <chrono>
#include <filesystem>

#include "data/preprocess.h"
#include "infer/segment.h"
#include "io/nifti.h"
#include "lrp/relevance.h"
#include "model/checkpoint.h"
#include "train/dice.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/threads.h"

namespace lrpseg {

namespace fs = std::filesystem;
using nlohmann::json;

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

}  // namespace

CaseExplanation explain_case(UNet& net, const CaseFiles& files, const PreprocessOptions& pre,
                             const LrpOptions& lrp) {
  CaseExplanation c;
  c.volumes = load_case(files);
  const std::array<int64_t, 3> grid{c.volumes.image.size(1), c.volumes.image.size(2),
                                    c.volumes.image.size(3)};
  c.input = preprocess_image(c.volumes.image, pre);
  auto t0 = std::chrono::steady_clock::now();
  Trace trace;
  {
    torch::NoGradGuard no_grad;
    net->eval();
    net->forward(c.input.unsqueeze(0), &trace);
  }
  c.explanation = propagate(trace, lrp);
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  c.prediction = resize_label(trace.output.argmax(1).squeeze(0).to(torch::kUInt8), grid);
  if (c.volumes.label.defined()) c.dice = dice_score(c.prediction, c.volumes.label);
  const auto& r = c.explanation.relevance;
  c.case_relevance =
      resize(r.reshape({-1, r.size(2), r.size(3), r.size(4)}), grid, Interpolation::Nearest)
          .reshape({r.size(0), r.size(1), grid[0], grid[1], grid[2]});
  return c;
}

json write_case_explanation(const CaseExplanation& c, const std::string& dir_text,
                            const LrpOptions& lrp, bool native) {
  fs::path dir(dir_text);
  fs::create_directories(dir);
  const CaseVolumes& v = c.volumes;
  write_nifti((dir / "prediction.nii.gz").string(), c.prediction, v.geometry, OutputType::UInt8);
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
    write_nifti((dir / file).string(), c.case_relevance[i], v.geometry, OutputType::Float32);
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
  write_text_atomically((dir / "summary.json").string(), summary.dump(2) + "\n");
  return summary;
}

std::vector<json> explain_cases(const ExplainOptions& o) {
  configure_threads(o.threads);
  if (o.cases.empty()) throw Error("explain: no cases selected");
  LoadedModel model = load_checkpoint(o.model_dir);
  PreprocessOptions pre = preprocess_from_info(model.info, o.model_dir + "/model.json");
  fs::create_directories(o.out_dir);
  std::vector<json> summaries;
  Progress progress("explain", static_cast<int64_t>(o.cases.size()), o.quiet);
  for (const auto& files : o.cases) {
    CaseExplanation c = explain_case(model.net, files, pre, o.lrp);
    summaries.push_back(
        write_case_explanation(c, (fs::path(o.out_dir) / files.name).string(), o.lrp, o.native));
    progress.update(static_cast<int64_t>(summaries.size()), files.name);
  }
  progress.finish();
  return summaries;
}

}  // namespace lrpseg
