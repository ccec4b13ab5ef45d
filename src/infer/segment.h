#pragma once
// Segmentation of cases with a trained checkpoint: one uint8 label NIfTI per
// case in the case's grid and geometry (CASE.nii.gz, or named as an ISLES
// submission), and Dice where OT exists.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/preprocess.h"
#include "io/isles.h"

namespace lrpseg {

// Prediction file names: <case>.nii.gz (nnU-Net's convention, the default), or
// the ISLES challenge's submission names (submission_name).
enum class OutputNaming { Case, Isles };
OutputNaming parse_output_naming(const std::string& text);  // case | isles

struct SegmentOptions {
  std::string model_dir;
  std::string data_dir;
  std::string out_dir;
  std::vector<CaseFiles> cases;  // chosen by the caller (select_cases / cases_of)
  OutputNaming naming = OutputNaming::Case;
  int threads = 0;
  torch::Device device = torch::kCPU;  // where the network runs (util/device.h)
  bool quiet = false;
};

struct SegmentRow {
  std::string case_name;
  std::string file;          // written NIfTI
  double dice = -1;          // -1 without OT
  int64_t true_voxels = -1;  // lesion voxels in OT (-1 without OT)
  int64_t predicted_voxels = 0;
};

// ISLES submission name: SMIR.lrpseg_<case>.<id of the case's MR_MTT folder>.nii
std::string submission_name(const CaseFiles& files);

// Writes the predictions and, when any case has OT, dice.csv (case, Dice,
// lesion voxels true/predicted); returns the rows.
std::vector<SegmentRow> segment(const SegmentOptions& options);

std::string dice_csv(const std::vector<SegmentRow>& rows);
// Reads dice_csv's format back (file: empty; voxel counts -1 when absent);
// errors name `source` and the line.
std::vector<SegmentRow> parse_dice_csv(const std::string& text, const std::string& source);

// The preprocessing stored in a checkpoint's model.json, so inference matches training.
PreprocessOptions preprocess_from_info(const nlohmann::json& info, const std::string& source);

}  // namespace lrpseg
