#include "analysis/explain_run.h"

#include <filesystem>

#include "data/preprocess.h"
#include "infer/segment.h"
#include "model/checkpoint.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/threads.h"

namespace lrpseg {

namespace fs = std::filesystem;
using nlohmann::json;

void check_single_sigma(const RobustnessOptions& options) {
  check_robustness_options(options);
  if (options.sigmas.size() != 1) throw UsageError("--robustness-sigma: give one σ here");
}

std::vector<RobustnessScores> case_robustness(UNet& net, const CaseExplanation& c,
                                              const LrpOptions& lrp, const MethodOptions& methods,
                                              const RobustnessOptions& options,
                                              double relevance_threshold) {
  check_single_sigma(options);
  LrpOptions noisy = lrp;
  noisy.record_health = false;
  const ExplainInput explain = [&](const torch::Tensor& x) {
    return explain_methods(net, x.unsqueeze(0), noisy, methods).relevance;
  };
  torch::Tensor ot;
  if (c.volumes.label.defined())
    ot = resize_label(c.volumes.label, {c.input.size(1), c.input.size(2), c.input.size(3)});
  return measure_robustness(explain, c.input, c.explanation.relevance, options.sigmas[0], options,
                            ot, relevance_threshold);
}

std::vector<json> explain_cases(const ExplainOptions& o) {
  configure_threads(o.threads);
  if (o.cases.empty()) throw Error("explain: no cases selected");
  if (o.robustness) check_single_sigma(*o.robustness);
  LoadedModel model = load_checkpoint(o.model_dir);
  model.net->to(o.lrp.device);
  PreprocessOptions pre = preprocess_from_info(model.info, o.model_dir + "/model.json");
  check_attribution_options(o.methods.attribution, pre.size_dhw);
  fs::create_directories(o.out_dir);
  std::vector<json> summaries(o.cases.size());
  int64_t mine = 0, done = 0;
  for (size_t i = 0; i < o.cases.size(); ++i) mine += owns_item(o.group, i) ? 1 : 0;
  Progress progress("explain", mine, o.quiet);
  for (size_t i = 0; i < o.cases.size(); ++i) {
    if (!owns_item(o.group, i)) continue;
    const CaseFiles& files = o.cases[i];
    CaseExplanation c = explain_case(model.net, files, pre, o.lrp, o.check_precision, o.methods);
    json extra = json::object();
    if (const json methods = describe(o.methods); !methods.is_null()) extra["methods"] = methods;
    if (o.robustness) {
      const auto scores = case_robustness(model.net, c, o.lrp, o.methods, *o.robustness);
      extra["robustness"] =
          robustness_json(o.robustness->sigmas[0], *o.robustness, c.explanation.filters, scores);
    }
    summaries[i] = write_case_explanation(c, (fs::path(o.out_dir) / files.name).string(), o.lrp,
                                          o.native, extra);
    progress.update(++done, files.name);
  }
  progress.finish();
  gather_owned_items(summaries, o.group);  // every rank's summaries, in case order
  return summaries;
}

}  // namespace lrpseg
