// The parsers of option values and of the CSV files lrpseg reads back (sweep
// tables, training logs, Dice tables): the first byte picks the parser, the
// rest is its text. Each input must parse or be refused with lrpseg::Error.
#include <array>
#include <functional>
#include <string>

#include "analysis/sweep_table.h"
#include "attribution/attribution.h"
#include "data/preprocess.h"
#include "data/synth.h"
#include "evaluation/alpha0.h"
#include "evaluation/evaluate.h"
#include "evaluation/region_perturbation.h"
#include "fuzz_input.h"
#include "infer/segment.h"
#include "io/isles.h"
#include "io/nnunet.h"
#include "lrp/composite.h"
#include "lrp/filters.h"
#include "train/losses.h"
#include "train/trainer.h"
#include "util/csv.h"
#include "util/error.h"

using namespace lrpseg;

namespace {

using Parser = std::function<void(const std::string&)>;

const std::array<Parser, 19> parsers = {
    [](const std::string& s) { (void)parse_filters(s); },
    [](const std::string& s) { (void)parse_filter(s); },
    [](const std::string& s) { (void)parse_size_dhw(s, "--size"); },
    [](const std::string& s) { (void)parse_case_list(s); },
    [](const std::string& s) {
      Merge merge;
      double fraction = 0;
      parse_merge(s, merge, fraction);
      (void)merge_to_string(merge, fraction);
    },
    [](const std::string& s) { (void)parse_target(s); },
    [](const std::string& s) { (void)parse_methods(s); },
    [](const std::string& s) { (void)parse_occlusion_channels(s); },
    [](const std::string& s) { (void)parse_alpha_grid(s); },
    [](const std::string& s) { (void)parse_evaluation_families(s); },
    [](const std::string& s) { (void)parse_perturbation_mode(s); },
    [](const std::string& s) { (void)parse_evidence_modalities(s); },
    [](const std::string& s) { (void)parse_loss(s, "--loss"); },
    [](const std::string& s) { (void)parse_dataset_layout(s); },
    [](const std::string& s) { (void)parse_csv(s, "fuzz.csv"); },
    [](const std::string& s) { (void)parse_sweep_csv(s, "sweep.csv"); },
    [](const std::string& s) { (void)parse_summary_csv(s, "summary.csv"); },
    [](const std::string& s) { (void)parse_train_log_csv(s, "train_log.csv"); },
    [](const std::string& s) { (void)parse_dice_csv(s, "dice.csv"); },
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    parsers[data[0] % parsers.size()](text);
  } catch (const Error&) {
  }
  return 0;
}
