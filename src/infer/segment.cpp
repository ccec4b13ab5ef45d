#include "infer/segment.h"

#include <filesystem>

#include "data/preprocess.h"
#include "metrics/dice.h"
#include "model/checkpoint.h"
#include "model/predict.h"
#include "util/atomic_file.h"
#include "util/csv.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/threads.h"

namespace lrpseg {

namespace fs = std::filesystem;

std::string submission_name(const CaseFiles& files) {
  return "SMIR.lrpseg_" + files.name + "." + files.mtt_id + ".nii";
}

OutputNaming parse_output_naming(const std::string& text) {
  if (text == "case") return OutputNaming::Case;
  if (text == "isles") return OutputNaming::Isles;
  throw UsageError("--naming '" + text + "': expected case or isles");
}

std::string dice_csv(const std::vector<SegmentRow>& rows) {
  std::string out = csv_line({"case", "dice", "true_voxels", "predicted_voxels"});
  for (const auto& r : rows) {
    if (r.dice < 0) continue;
    out += csv_line({r.case_name, csv_number(r.dice), std::to_string(r.true_voxels),
                     std::to_string(r.predicted_voxels)});
  }
  return out;
}

std::vector<SegmentRow> parse_dice_csv(const std::string& text, const std::string& source) {
  const CsvTable table = parse_csv(text, source);
  const size_t name = table.require("case"), dice = table.require("dice");
  const auto truth = table.column("true_voxels"), predicted = table.column("predicted_voxels");
  std::vector<SegmentRow> rows;
  for (size_t i = 0; i < table.rows.size(); ++i) {
    SegmentRow r;
    r.case_name = table.rows[i][name];
    r.dice = table.required_number(i, dice);
    if (truth) r.true_voxels = table.count(i, *truth).value_or(-1);
    if (predicted) r.predicted_voxels = table.count(i, *predicted).value_or(-1);
    rows.push_back(std::move(r));
  }
  return rows;
}

// The preprocessing recorded in model.json, so inference matches training.
PreprocessOptions preprocess_from_info(const nlohmann::json& info, const std::string& source) {
  try {
    PreprocessOptions pre;
    const auto& p = info.at("preprocessing");
    pre.size_dhw = p.at("size_dhw").get<std::array<int64_t, 3>>();
    pre.interpolation = parse_interpolation(p.at("interpolation").get<std::string>(), source);
    return pre;
  } catch (const nlohmann::json::exception& e) {
    throw Error(source + ": invalid preprocessing settings (" + e.what() + ")");
  }
}

std::vector<SegmentRow> segment(const SegmentOptions& o) {
  configure_threads(o.threads);
  LoadedModel model = load_checkpoint(o.model_dir);
  model.net->to(o.device);
  PreprocessOptions pre = preprocess_from_info(model.info, o.model_dir + "/model.json");
  if (o.cases.empty()) throw Error("segment: no cases selected");
  fs::create_directories(o.out_dir);

  std::vector<SegmentRow> rows;
  Progress progress("segment", static_cast<int64_t>(o.cases.size()), o.quiet);
  for (const auto& files : o.cases) {
    CaseVolumes v = load_case(files);
    std::array<int64_t, 3> grid{v.image.size(1), v.image.size(2), v.image.size(3)};
    torch::Tensor mask = predict_mask(model.net, preprocess_image(v.image, pre), grid);
    SegmentRow row;
    row.case_name = files.name;
    const std::string name =
        o.naming == OutputNaming::Isles ? submission_name(files) : files.name + ".nii.gz";
    row.file = (fs::path(o.out_dir) / name).string();
    row.predicted_voxels = mask.sum().item<int64_t>();
    if (v.label.defined()) {
      row.dice = dice_score(mask, v.label);
      row.true_voxels = v.label.sum().item<int64_t>();
    }
    write_nifti(row.file, mask, v.geometry, OutputType::Label);
    rows.push_back(row);
    char status[64] = "";
    if (row.dice >= 0)
      std::snprintf(status, sizeof status, "%s Dice %.3f", row.case_name.c_str(), row.dice);
    progress.update(static_cast<int64_t>(rows.size()), status);
  }
  progress.finish();
  bool any_truth = std::any_of(rows.begin(), rows.end(), [](const auto& r) { return r.dice >= 0; });
  if (any_truth) write_text_atomically((fs::path(o.out_dir) / "dice.csv").string(), dice_csv(rows));
  return rows;
}

}  // namespace lrpseg
