#include "infer/segment.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "data/synth.h"
#include "io/nifti.h"
#include "model/checkpoint.h"
#include "temp_dir.h"
#include "tiny_model.h"
#include "train/trainer.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;

TEST(Segment, WritesOnePredictionPerCaseInTheCaseGeometryAndDiceCsv) {
  test::TempDir dir;
  TrainOptions t = test::train_tiny_model(dir / "data", dir / "model", 2, 1, 3);

  IslesDataset dataset = discover_isles(dir / "data");
  SegmentOptions s;
  s.model_dir = t.out_dir;
  s.data_dir = t.data_dir;
  s.out_dir = dir / "seg";
  s.cases = dataset.cases;  // two training cases and one test case
  s.threads = 1;
  s.quiet = true;
  auto rows = segment(s);
  ASSERT_EQ(rows.size(), 3u);
  for (size_t i = 0; i < rows.size(); ++i) {
    const CaseFiles& files = dataset.cases[i];
    EXPECT_EQ(fs::path(rows[i].file).filename().string(), files.name + ".nii.gz");
    Volume written = read_nifti_3d(rows[i].file);
    NiftiHeader adc = read_nifti_header(files.modality_paths[0]);
    EXPECT_EQ(written.header.size_dhw(), adc.size_dhw());
    EXPECT_EQ(written.header.sform(), adc.sform());
    EXPECT_EQ(written.header.datatype(), 2);        // uint8
    EXPECT_EQ(written.header.intent_code(), 1002);  // NIFTI_INTENT_LABEL
    EXPECT_EQ(written.data.sum().item<int64_t>(), rows[i].predicted_voxels);
  }
  EXPECT_LT(rows[2].dice, 0);  // the test case has no OT
  std::string csv = read_text(dir / "seg/dice.csv");
  EXPECT_EQ(csv.rfind("case,dice,true_voxels,predicted_voxels\n", 0), 0u);
  EXPECT_NE(csv.find("training_1,"), std::string::npos);
  EXPECT_EQ(csv.find("test_1"), std::string::npos);

  s.naming = OutputNaming::Isles;  // challenge submission names
  s.out_dir = dir / "submission";
  rows = segment(s);
  for (size_t i = 0; i < rows.size(); ++i) {
    const CaseFiles& files = dataset.cases[i];
    EXPECT_EQ(fs::path(rows[i].file).filename().string(),
              "SMIR.lrpseg_" + files.name + "." + files.mtt_id + ".nii");
    EXPECT_TRUE(torch::equal(
        read_nifti_3d(rows[i].file).data,
        read_nifti_3d((fs::path(dir / "seg") / (files.name + ".nii.gz")).string()).data));
  }
}

TEST(Segment, PreprocessingComesFromModelJson) {
  nlohmann::json info = {
      {"preprocessing", {{"size_dhw", {3, 5, 7}}, {"interpolation", "trilinear"}}}};
  PreprocessOptions p = preprocess_from_info(info, "model.json");
  EXPECT_EQ(p.size_dhw, (std::array<int64_t, 3>{3, 5, 7}));
  EXPECT_EQ(p.interpolation, Interpolation::Trilinear);
  EXPECT_THROW(preprocess_from_info(nlohmann::json::object(), "model.json"), Error);
}

}  // namespace
}  // namespace lrpseg
