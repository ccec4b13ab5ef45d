#pragma once
// Options shared by several subcommands.
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/robustness.h"
#include "distributed/process_group.h"
#include "infer/explain_cases.h"
#include "io/isles.h"
#include "io/nnunet.h"
#include "lrp/composite.h"
#include "util/folder_lock.h"

namespace lrpseg::cli {

// --layout auto|isles2017|nnunet: how --data is laid out (auto: nnU-Net raw
// when it holds dataset.json and imagesTr/, ISLES 2017 otherwise).
void add_layout_option(CLI::App* cmd, std::string& layout);

// --nproc N: the subcommand's work shared by N ranks of itself on this machine.
void add_nproc_option(CLI::App* cmd, int& nproc, const std::string& what_is_shared);

// A subcommand's place in a data-parallel job. With --nproc > 1 in the process the
// user started, the local ranks are run (distributed/launcher.h) and `launched` is
// set: the caller is done. Otherwise this process is one rank: of torchrun's job
// when WORLD_SIZE > 1 (`group` joined, `threads` 0 becomes the cores shared among
// the local ranks), else the only one (`group` null).
struct JobRole {
  bool launched = false;
  int rank = 0;
  std::unique_ptr<ProcessGroup> group;
};
JobRole start_or_join_job(int nproc, int& threads);

// The output folder's lock for the whole job: rank 0 takes it (null on the others),
// then every rank waits until it is held, so that nobody writes before.
std::unique_ptr<FolderLock> lock_job_output(const JobRole& job, const std::string& folder,
                                            const std::string& command);

// --display radiological|neurological: how Figure 1 and the viewer orient slices.
void add_display_option(CLI::App* cmd, std::string& display);

// --nan-to-num: NaN/Inf voxels of the input volumes read as 0.
void add_nan_to_num_flag(CLI::App* cmd, bool& nan_to_num);

// --threads N (0 = all cores).
void add_threads_option(CLI::App* cmd, int& threads);

// --device cpu|cuda|cuda:N, parsed and checked as it is read (util/device.h).
void add_device_option(CLI::App* cmd, torch::Device& device);

// The LRP options every explaining subcommand shares: --composite, --rule,
// --first-rule, --epsilon, --gamma, --alpha, --beta, --zb-low, --zb-high,
// --precision. Names are parsed and checked in the returned callback, which the
// subcommand calls first (before any output is written).
std::function<void()> add_lrp_options(CLI::App* cmd, LrpOptions& lrp);

// --method, --ig-steps, --ig-baseline, --smoothgrad-samples, --smoothgrad-sigma,
// --occlusion-patch, --occlusion-stride, --occlusion-channels,
// --attribution-batch and, with_precision, --baseline-precision; the returned
// callback parses them (the patch is checked against the network size later).
std::function<void()> add_method_options(CLI::App* cmd, MethodOptions& methods,
                                         const std::string& default_methods = "lrp",
                                         bool with_precision = true);

// "1e-4,0.01" → {1e-4, 0.01}; errors name `option` and the item.
std::vector<double> parse_number_list(const std::string& list, const std::string& option);

// --robustness-sigma S (off by default), --robustness-samples, --robustness-seed
// for explain and sweep: with S given, the callback sets `robustness`.
std::function<void()> add_robustness_options(CLI::App* cmd,
                                             std::optional<RobustnessOptions>& robustness);

// Where a command's cases come from: --data (with --layout, --cases, --split)
// or, with `images`, one case as files: --images A.nii,B.nii,… in the order of
// --modalities (default ADC,MTT,rCBF,rCBV,Tmax,TTP), --label OT.nii, --case-name.
// The returned function (called in the callback) gives the cases; exactly one
// of --data and --images must be given.
std::function<std::vector<CaseFiles>()> add_case_options(CLI::App* cmd, bool images);

// Cases chosen by --cases (e.g. "1,4,27" or "1-10") and --split
// (training|test|all). Without --cases: every case of the split (default all);
// with --cases: those numbers in the split (default training).
std::vector<CaseFiles> choose_cases(const IslesDataset& dataset, const std::string& cases,
                                    const std::string& split);

}  // namespace lrpseg::cli
