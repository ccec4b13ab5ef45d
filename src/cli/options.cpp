#include "cli/options.h"

#include "data/preprocess.h"
#include "distributed/launcher.h"
#include "util/device.h"
#include "util/error.h"
#include "util/text.h"

namespace lrpseg::cli {

void add_layout_option(CLI::App* cmd, std::string& layout) {
  cmd->add_option("--layout", layout,
                  "Dataset layout of --data: auto (nnU-Net raw when dataset.json and imagesTr/ "
                  "are there), isles2017 or nnunet")
      ->check(CLI::IsMember({"auto", "isles2017", "nnunet"}));
}

void add_nproc_option(CLI::App* cmd, int& nproc, const std::string& what_is_shared) {
  cmd->add_option("--nproc", nproc,
                  "Processes (ranks) on this machine sharing " + what_is_shared +
                      " over Gloo, --threads each (default: the cores shared). Several nodes: "
                      "one lrpseg per rank with torchrun's RANK, WORLD_SIZE, MASTER_ADDR, "
                      "MASTER_PORT")
      ->check(CLI::Range(1, 256));
}

JobRole start_or_join_job(int nproc, int& threads) {
  JobRole role;
  if (nproc > 1 && !launched_as_rank()) {
    if (rank_environment().distributed())
      throw UsageError("--nproc: this process is already a rank of a job (WORLD_SIZE is set)");
    run_local_ranks(nproc, program_arguments());
    role.launched = true;
    return role;
  }
  const RankEnvironment env = rank_environment();
  if (!env.distributed()) return role;
  if (threads == 0) threads = default_threads_per_rank(env);
  role.rank = env.rank;
  role.group = ProcessGroup::join(env, std::chrono::minutes(30));
  return role;
}

std::unique_ptr<FolderLock> lock_job_output(const JobRole& job, const std::string& folder,
                                            const std::string& command) {
  std::unique_ptr<FolderLock> lock;
  if (job.rank == 0) lock = std::make_unique<FolderLock>(folder, command);
  if (job.group) job.group->barrier();
  return lock;
}

void add_display_option(CLI::App* cmd, std::string& display) {
  cmd->add_option("--display", display,
                  "Slice orientation, read from the NIfTI affine: radiological (patient's right "
                  "on the image's left) or neurological (left on the left); anterior at the top")
      ->check(CLI::IsMember({"radiological", "neurological"}));
}

void add_nan_to_num_flag(CLI::App* cmd, bool& nan_to_num) {
  cmd->add_flag("--nan-to-num", nan_to_num,
                "Read NaN/Inf voxels as 0 (background) instead of refusing the file");
}

void add_threads_option(CLI::App* cmd, int& threads) {
  cmd->add_option("--threads", threads, "Threads for LibTorch and OpenBLAS (0 = all cores)")
      ->check(CLI::NonNegativeNumber);
}

void add_device_option(CLI::App* cmd, torch::Device& device) {
  cmd->add_option_function<std::string>(
         "--device", [&device](const std::string& text) { device = parse_device(text); },
         "Where to compute: cpu, cuda (a rank's own GPU in a multi-process job) or cuda:N; "
         "CUDA needs a LibTorch built with it (README, Scaling)")
      ->default_str("cpu");
}

std::function<void()> add_lrp_options(CLI::App* cmd, LrpOptions& lrp) {
  auto precision = std::make_shared<std::string>(to_string(lrp.precision));
  std::vector<std::string> composites, rules;
  for (const CompositePreset& p : composite_presets()) composites.push_back(p.name);
  for (const RuleEntry& r : rule_catalog()) rules.push_back(r.name);
  cmd->add_option("--composite", lrp.composite, "Rules per layer (Zennit's presets, or paper)")
      ->check(CLI::IsMember(composites));
  cmd->add_option("--rule", lrp.hidden_rule,
                  "Rule of the hidden and transposed convolutions, overriding the composite")
      ->check(CLI::IsMember(rules));
  cmd->add_option("--first-rule", lrp.first_rule,
                  "Rule of the first convolution, overriding the composite")
      ->check(CLI::IsMember(rules));
  cmd->add_option("--epsilon", lrp.rule.epsilon_rule_eps, "ε of the epsilon rule");
  cmd->add_option("--gamma", lrp.rule.gamma, "γ of the gamma rule (≥ 0)");
  cmd->add_option("--alpha", lrp.rule.alpha, "α of the alpha-beta rule (α − β = 1)");
  cmd->add_option("--beta", lrp.rule.beta, "β of the alpha-beta rule");
  cmd->add_option("--zb-low", lrp.rule.zbox_low, "Lower input bound of the z^B rule");
  cmd->add_option("--zb-high", lrp.rule.zbox_high, "Upper input bound of the z^B rule");
  cmd->add_option("--precision", *precision,
                  "Precision of the recorded forward and the relevance pass")
      ->check(CLI::IsMember({"float", "double"}));
  auto gigabytes = std::make_shared<double>(0);
  cmd->add_option("--max-memory", *gigabytes,
                  "GB the recorded forward and a relevance pass may use; the filter batch is the "
                  "largest that fits (default: 80% of the memory available)")
      ->check(CLI::NonNegativeNumber);
  return [&lrp, precision, gigabytes] {
    lrp.precision = parse_precision(*precision);
    lrp.max_memory_bytes = static_cast<int64_t>(*gigabytes * double(1LL << 30));
    Composite check(lrp);  // unknown names and bad parameters fail here, before any output
    (void)check;
  };
}

std::function<void()> add_method_options(CLI::App* cmd, MethodOptions& methods,
                                         const std::string& default_methods, bool with_precision) {
  auto list = std::make_shared<std::string>(default_methods);
  auto patch = std::make_shared<std::string>("1x8x8");
  auto stride = std::make_shared<std::string>();
  auto channels = std::make_shared<std::string>("all");
  auto precision = std::make_shared<std::string>(to_string(methods.precision));
  AttributionOptions& a = methods.attribution;
  cmd->add_option("--method", *list,
                  "Comma-separated: lrp, gradient, gradient-x-input, integrated-gradients, "
                  "smoothgrad, occlusion (each written as relevance_<method>)");
  cmd->add_option("--ig-steps", a.ig_steps, "Integrated gradients: steps");
  cmd->add_option("--ig-baseline", a.ig_baseline, "Integrated gradients: baseline input")
      ->check(CLI::IsMember({"zero", "blur"}));
  cmd->add_option("--smoothgrad-samples", a.smoothgrad_samples, "SmoothGrad: noisy samples");
  cmd->add_option("--smoothgrad-sigma", a.smoothgrad_sigma,
                  "SmoothGrad: noise σ as a fraction of the input range");
  cmd->add_option("--occlusion-patch", *patch, "Occlusion: patch DxHxW");
  cmd->add_option("--occlusion-stride", *stride, "Occlusion: stride DxHxW (default: the patch)");
  cmd->add_option("--occlusion-channels", *channels,
                  "Occlusion: a patch covers every modality (all), or one modality at a time "
                  "(each: per-modality maps, 6x the forwards)")
      ->check(CLI::IsMember({"all", "each"}));
  cmd->add_option("--attribution-batch", a.batch,
                  "Copies per forward/backward for integrated gradients, SmoothGrad, occlusion "
                  "(0: per method, 2 for the gradient methods, 8 for occlusion)");
  if (with_precision) {
    cmd->add_option("--baseline-precision", *precision,
                    "Precision of the methods other than LRP (LRP: --precision)")
        ->check(CLI::IsMember({"float", "double"}));
  }
  return [&methods, list, patch, stride, channels, precision] {
    methods.methods = parse_methods(*list);
    methods.precision = parse_precision(*precision);  // IsMember checked the name
    AttributionOptions& o = methods.attribution;
    o.occlusion_patch = parse_size_dhw(*patch, "--occlusion-patch");
    if (!stride->empty()) o.occlusion_stride = parse_size_dhw(*stride, "--occlusion-stride");
    o.occlusion_channels = parse_occlusion_channels(*channels);
    check_attribution_options(o, {INT32_MAX, INT32_MAX, INT32_MAX});
  };
}

std::vector<double> parse_number_list(const std::string& list, const std::string& option) {
  std::vector<double> out;
  for (const std::string& item : split_list(list)) {
    const auto v = parse_double(item);
    if (!v) throw_option_error(option, ": '" + item + "' is not a number");
    out.push_back(*v);
  }
  return out;
}

std::function<void()> add_robustness_options(CLI::App* cmd,
                                             std::optional<RobustnessOptions>& robustness) {
  auto sigma = std::make_shared<std::string>();
  auto o = std::make_shared<RobustnessOptions>();
  cmd->add_option("--robustness-sigma", *sigma,
                  "Also explain noisy copies of each input, x·(1 + σ·N(0,1)) inside the brain, "
                  "and record max-sensitivity, correlations and inclusivity change per filter "
                  "(e.g. 0.01; off by default)");
  cmd->add_option("--robustness-samples", o->samples, "Noisy inputs per case")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--robustness-seed", o->seed, "Seed of the noise");
  return [&robustness, sigma, o, cmd] {
    if (cmd->count("--robustness-sigma") == 0) {
      if (cmd->count("--robustness-samples") + cmd->count("--robustness-seed") > 0)
        throw UsageError("--robustness-samples/--robustness-seed: need --robustness-sigma");
      return;
    }
    RobustnessOptions options = *o;
    options.sigmas = parse_number_list(*sigma, "--robustness-sigma");
    check_robustness_options(options);
    if (options.sigmas.size() != 1)
      throw UsageError("--robustness-sigma: give one σ here (evaluate takes a list)");
    robustness = options;
  };
}

std::function<std::vector<CaseFiles>()> add_case_options(CLI::App* cmd, bool images) {
  struct Source {
    std::string data, layout = "auto", cases, split, images, label, name = "case";
    std::string modalities = "ADC,MTT,rCBF,rCBV,Tmax,TTP";
    bool nan_to_num = false;
  };
  auto s = std::make_shared<Source>();
  cmd->add_option("--data", s->data, "Dataset directory (ISLES 2017 or nnU-Net raw layout)");
  add_layout_option(cmd, s->layout);
  cmd->add_option("--cases", s->cases, "Case numbers, e.g. 1,4,27 or 1-10 (default: all)");
  cmd->add_option("--split", s->split, "Cases of this split")
      ->check(CLI::IsMember({"training", "test", "all"}));
  add_nan_to_num_flag(cmd, s->nan_to_num);
  if (images) {
    cmd->add_option("--images", s->images,
                    "One case as files instead of --data: the six maps, comma-separated");
    cmd->add_option("--modalities", s->modalities, "The maps of --images, in their order");
    cmd->add_option("--label", s->label, "The lesion mask of the --images case (optional)");
    cmd->add_option("--case-name", s->name, "Name of the --images case in outputs");
  }
  return [s] {
    std::vector<CaseFiles> cases;
    if (!s->images.empty()) {
      if (!s->data.empty()) throw UsageError("--images and --data exclude each other");
      if (!s->cases.empty() || !s->split.empty())
        throw UsageError("--cases/--split select from --data, not --images");
      cases = {
          case_from_files(split_list(s->images), split_list(s->modalities), s->label, s->name)};
    } else {
      if (s->data.empty()) throw UsageError("--data (or --images) is required");
      cases = choose_cases(discover_dataset(s->data, parse_dataset_layout(s->layout)), s->cases,
                           s->split);
    }
    for (CaseFiles& c : cases) c.non_finite = s->nan_to_num ? NonFinite::ToZero : NonFinite::Refuse;
    return cases;
  };
}

std::vector<CaseFiles> choose_cases(const IslesDataset& dataset, const std::string& cases,
                                    const std::string& split) {
  if (split != "" && split != "training" && split != "test" && split != "all") {
    throw UsageError("--split: unknown value '" + split + "' (expected training, test or all)");
  }
  if (cases.empty()) {
    if (split == "training") return cases_of(dataset, Split::Training);
    if (split == "test") return cases_of(dataset, Split::Test);
    return dataset.cases;
  }
  if (split == "all")
    throw UsageError("--split all cannot be combined with --cases (numbers repeat)");
  return select_cases(dataset, parse_case_list(cases, "--cases"),
                      split == "test" ? Split::Test : Split::Training);
}

}  // namespace lrpseg::cli
