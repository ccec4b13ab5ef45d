// The nnU-Net raw layout: channels found by name in any order, case numbers
// from identifiers, labels from labelsTr, and what is missing named.
#include "io/nnunet.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "error_of.h"
#include "temp_dir.h"
#include "util/atomic_file.h"

namespace lrpseg::test {
namespace {

namespace fs = std::filesystem;

// Channel k of every case holds the value 10 (k + 1); labels one lesion voxel.
void write_layout(const fs::path& root, const nlohmann::json& channel_names) {
  fs::create_directories(root / "imagesTr");
  fs::create_directories(root / "labelsTr");
  fs::create_directories(root / "imagesTs");
  write_text_atomically(root / "dataset.json",
                        nlohmann::json{{"channel_names", channel_names},
                                       {"labels", {{"background", 0}, {"lesion", 1}}},
                                       {"numTraining", 1},
                                       {"file_ending", ".nii.gz"}}
                            .dump(2));
  const NiftiHeader header = make_nifti_header({2, 3, 4}, {1, 1, 5});
  auto write_case = [&](const std::string& folder, const std::string& id) {
    for (size_t k = 0; k < channel_names.size(); ++k) {
      char suffix[32];  // room for any size_t: -Wformat-truncation
      std::snprintf(suffix, sizeof suffix, "_%04zu", k);
      write_nifti((root / folder / (id + suffix + ".nii.gz")).string(),
                  torch::full({2, 3, 4}, 10.0f * (k + 1)), header, OutputType::Float32);
    }
  };
  write_case("imagesTr", "ISLES_0003");
  torch::Tensor label = torch::zeros({2, 3, 4});
  label[1][2][3] = 1;
  write_nifti((root / "labelsTr/ISLES_0003.nii.gz").string(), label, header, OutputType::Label);
  write_case("imagesTs", "ISLES_0021");
}

const nlohmann::json kChannels = {{"0", "TTP"},  {"1", "adc"},  {"2", "MTT"}, {"3", "rCBF"},
                                  {"4", "rCBV"}, {"5", "Tmax"}, {"6", "DWI"}};

TEST(NnUnet, ChannelsAreMatchedByNameAndCasesNumberedByTheirIdentifiers) {
  TempDir dir;
  write_layout(dir.path(), kChannels);
  EXPECT_TRUE(is_nnunet_dataset(dir.path().string()));
  const IslesDataset d = discover_dataset(dir.path().string());
  ASSERT_EQ(d.cases.size(), 2u);
  EXPECT_EQ(d.cases[0].name, "ISLES_0003");
  EXPECT_EQ(d.cases[0].number, 3);
  EXPECT_EQ(d.cases[0].split, Split::Training);
  EXPECT_EQ(d.cases[1].number, 21);
  EXPECT_EQ(d.cases[1].split, Split::Test);
  EXPECT_TRUE(d.cases[1].ot_path.empty());
  const CaseVolumes v = load_case(d.cases[0]);
  // kModalities order ADC, MTT, rCBF, rCBV, Tmax, TTP ← channels 1, 2, 3, 4, 5, 0.
  const std::vector<float> expected{20, 30, 40, 50, 60, 10};
  for (size_t m = 0; m < expected.size(); ++m)
    EXPECT_EQ(v.image[m].mean().item<float>(), expected[m]) << kModalities[m];
  EXPECT_EQ(v.label.sum().item<int64_t>(), 1);
  EXPECT_EQ(v.label[1][2][3].item<int>(), 1);
  EXPECT_EQ(select_cases(d, {21}, Split::Test)[0].name, "ISLES_0021");
}

TEST(NnUnet, WhatIsMissingIsNamed) {
  TempDir dir;
  nlohmann::json without_rcbv = kChannels;
  without_rcbv.erase("4");
  write_layout(dir.path(), without_rcbv);
  std::string e = error_of([&] { discover_dataset(dir.path().string()); });
  EXPECT_NE(e.find("dataset.json: channel_names lacks rCBV"), std::string::npos) << e;

  TempDir other;
  write_layout(other.path(), kChannels);
  fs::remove(other.path() / "imagesTr/ISLES_0003_0005.nii.gz");
  e = error_of([&] { discover_dataset(other.path().string()); });
  EXPECT_NE(e.find("ISLES_0003: missing"), std::string::npos) << e;
  EXPECT_NE(e.find("ISLES_0003_0005.nii.gz (channel 5, Tmax)"), std::string::npos) << e;

  TempDir unlabelled;
  write_layout(unlabelled.path(), kChannels);
  fs::remove(unlabelled.path() / "labelsTr/ISLES_0003.nii.gz");
  e = error_of([&] { discover_dataset(unlabelled.path().string()); });
  EXPECT_NE(e.find("ISLES_0003: missing label"), std::string::npos) << e;
  // Forced to the ISLES 2017 layout, the folder holds no ISLES case.
  EXPECT_NE(error_of([&] {
              discover_dataset(unlabelled.path().string(), DatasetLayout::Isles2017);
            }).find("no ISLES cases"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_dataset_layout("msd"); }).find("--layout"), std::string::npos);
}

}  // namespace
}  // namespace lrpseg::test
