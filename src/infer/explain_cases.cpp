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

json explain_one(UNet& net, const CaseFiles& files, const PreprocessOptions& pre,
                 const ExplainOptions& o) {
  auto t0 = std::chrono::steady_clock::now();
  CaseVolumes v = load_case(files);
  const std::array<int64_t, 3> grid{v.image.size(1), v.image.size(2), v.image.size(3)};
  torch::Tensor x = preprocess_image(v.image, pre).unsqueeze(0);

  Trace trace;
  {
    torch::NoGradGuard no_grad;
    net->eval();
    net->forward(x, &trace);
  }
  Explanation e = propagate(trace, o.lrp);
  torch::Tensor mask = resize_label(trace.output.argmax(1).squeeze(0).to(torch::kUInt8), grid);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  fs::path dir = fs::path(o.out_dir) / files.name;
  fs::create_directories(dir);
  write_nifti((dir / "prediction.nii.gz").string(), mask, v.geometry, OutputType::UInt8);
  NiftiHeader native_header = resampled_header(v.geometry, pre.size_dhw);
  if (o.native) {
    fs::create_directories(dir / "native");
    write_nifti((dir / "native/input.nii.gz").string(), x[0], native_header, OutputType::Float32);
  }

  json summary = {{"case", files.name},
                  {"network_size_dhw", pre.size_dhw},
                  {"case_size_dhw", grid},
                  {"modalities", std::vector<std::string>(kModalities.begin(), kModalities.end())},
                  {"lrp", describe(o.lrp)},
                  {"predicted_voxels", mask.sum().item<int64_t>()},
                  {"seconds_lrp", seconds}};
  if (v.label.defined()) {
    summary["dice"] = dice_score(mask, v.label);
    summary["true_voxels"] = v.label.sum().item<int64_t>();
  } else {
    summary["dice"] = nullptr;
  }
  json filters = json::array();
  for (size_t k = 0; k < e.filters.size(); ++k) {
    const std::string tag = filter_file_tag(e.filters[k]);
    torch::Tensor r = e.relevance[static_cast<int64_t>(k)];
    write_nifti((dir / ("relevance_" + tag + ".nii.gz")).string(),
                resize(r, grid, Interpolation::Nearest), v.geometry, OutputType::Float32);
    if (o.native) {
      write_nifti((dir / "native" / ("relevance_" + tag + ".nii.gz")).string(), r, native_header,
                  OutputType::Float32);
    }
    filters.push_back({{"filter", e.filters[k]},
                       {"file", "relevance_" + tag + ".nii.gz"},
                       {"max_abs_per_channel", channel_values(e.max_abs_per_channel[k])},
                       {"sum_output", e.sum_output[k].item<double>()},
                       {"sum_input", e.sum_input[k].item<double>()}});
  }
  summary["filters"] = filters;
  summary["seconds_total"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  write_text_atomically((dir / "summary.json").string(), summary.dump(2) + "\n");
  return summary;
}

}  // namespace

std::vector<json> explain_cases(const ExplainOptions& o) {
  configure_threads(o.threads);
  if (o.cases.empty()) throw Error("explain: no cases selected");
  LoadedModel model = load_checkpoint(o.model_dir);
  PreprocessOptions pre = preprocess_from_info(model.info, o.model_dir + "/model.json");
  fs::create_directories(o.out_dir);
  std::vector<json> summaries;
  Progress progress("explain", static_cast<int64_t>(o.cases.size()), o.quiet);
  for (const auto& files : o.cases) {
    summaries.push_back(explain_one(model.net, files, pre, o));
    progress.update(static_cast<int64_t>(summaries.size()), files.name);
  }
  progress.finish();
  return summaries;
}

}  // namespace lrpseg
