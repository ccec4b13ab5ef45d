#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/config_file.h"
#include "cli/options.h"
#include "infer/explain_cases.h"
#include "infer/segment.h"
#include "model/checkpoint.h"
#include "report/figure1.h"
#include "study/figure_panel.h"
#include "util/threads.h"

namespace lrpseg::cli {

void add_figure(CLI::App& app) {
  auto* cmd = app.add_subcommand("figure", "The paper's Figure 1 panel for one case and slice");
  add_config_option(cmd);
  struct Options {
    std::string model, data, split = "training", modality = "rCBF", out;
    std::string display = "radiological";
    int case_number = 0;
    int64_t slice = -1;
    double pass = 0.4, clamp = 0.2;
    int threads = 0;
    LrpOptions lrp;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("--model", o->model, "Checkpoint directory")->required();
  cmd->add_option("--data", o->data, "Dataset directory (ISLES 2017 or nnU-Net raw layout)")
      ->required();
  auto layout = std::make_shared<std::string>("auto");
  add_layout_option(cmd, *layout);
  cmd->add_option("--case", o->case_number, "Case number")->required();
  cmd->add_option("--split", o->split, "Split of the case")
      ->check(CLI::IsMember({"training", "test"}));
  cmd->add_option("--slice", o->slice,
                  "Axial slice, counted from inferior in the display orientation (the file's k "
                  "index when k runs inferior to superior; default: the one with most lesion)");
  cmd->add_option("--modality", o->modality, "Modality shown")
      ->check(CLI::IsMember({"ADC", "MTT", "rCBF", "rCBV", "Tmax", "TTP"}));
  cmd->add_option("--pass", o->pass, "Pass filter [0, a]");
  cmd->add_option("--clamp", o->clamp, "Clamp filter [0, a]");
  add_display_option(cmd, o->display);
  cmd->add_option("--out", o->out, "Output PNG (an SVG is written beside it)")->required();
  auto check_lrp = add_lrp_options(cmd, o->lrp);
  add_threads_option(cmd, o->threads);
  add_device_option(cmd, o->lrp.device);
  cmd->callback([o, check_lrp, layout] {
    check_lrp();
    configure_threads(o->threads);
    int channel = modality_index(o->modality, "--modality");
    LrpOptions lrp = o->lrp;
    lrp.filters = {Filter::raw(), Filter::pass(0, o->pass), Filter::clamp(0, o->clamp)};
    auto cases = choose_cases(discover_dataset(o->data, parse_dataset_layout(*layout)),
                              std::to_string(o->case_number), o->split);
    LoadedModel model = load_checkpoint(o->model);
    model.net->to(lrp.device);
    PreprocessOptions pre = preprocess_from_info(model.info, o->model + "/model.json");
    CaseExplanation c = explain_case(model.net, cases[0], pre, lrp);
    render_figure1(figure1_data(c, channel, o->slice, o->model,
                                parse_display_convention(o->display, "--display")),
                   o->out);
    std::cout << o->out << "\n";
  });
}

}  // namespace lrpseg::cli
