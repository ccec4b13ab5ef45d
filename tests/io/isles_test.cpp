#include "io/isles.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "error_of.h"
#include "raw_nifti.h"
#include "temp_dir.h"

namespace lrpseg::test {
namespace {

namespace fs = std::filesystem;

const std::array<const char*, 7> kTokens = {"MR_ADC",  "MR_MTT", "MR_rCBF", "MR_rCBV",
                                            "MR_Tmax", "MR_TTP", "OT"};

std::string folder_name(const std::string& prefix, int slot) {
  return prefix + ".Brain.XX.O." + kTokens[slot] + "." + std::to_string(100 + slot);
}

// The volume of modality `slot` in ISLES layout; inputs hold slot + 1 everywhere,
// the OT mask one lesion voxel.
std::string write_modality(const fs::path& case_dir, const std::string& prefix, int slot,
                           std::array<int64_t, 3> dhw = {2, 3, 4}, const std::string& ext = ".nii",
                           std::array<double, 3> origin_mm = {0, 0, 0}) {
  const std::string name = folder_name(prefix, slot);
  fs::create_directories(case_dir / name);
  const std::string path = (case_dir / name / (name + ext)).string();
  torch::Tensor data = torch::full({dhw[0], dhw[1], dhw[2]}, float(slot + 1));
  if (slot == 6) {
    data.zero_();
    data[1][2][3] = 1;
  }
  write_nifti(path, data, make_nifti_header(dhw, {1, 1, 5}, origin_mm), OutputType::Float32);
  return path;
}

void write_case(const fs::path& case_dir, const std::string& prefix, bool with_ot,
                const std::string& ext = ".nii") {
  for (int slot = 0; slot < (with_ot ? 7 : 6); ++slot)
    write_modality(case_dir, prefix, slot, {2, 3, 4}, ext);
}

void touch(const fs::path& path) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "junk\n";
}

// Two training cases (SMIR, VSD with .nii.gz), a nested test case without OT,
// and the debris of a macOS zip.
void write_dataset(const fs::path& root) {
  write_case(root / "training_10", "SMIR", true);
  write_case(root / "training_2", "VSD", true, ".nii.gz");
  write_case(root / "ISLES2017_Testing" / "test_1", "SMIR", false);
  const fs::path pwi = root / "training_10" / "SMIR.Brain.XX.O.MR_4DPWI.99";
  fs::create_directories(pwi);
  write_raw_nifti((pwi / "SMIR.Brain.XX.O.MR_4DPWI.99.nii").string(), {{4, 3, 2, 3}, DT_INT16},
                  std::vector<int16_t>(72, 0));
  touch(root / "__MACOSX" / "training_3" / "._SMIR.Brain.XX.O.MR_ADC.1.nii");
  touch(root / ".DS_Store");
  touch(root / "README");
  touch(root / "training_2" / ".DS_Store");
  touch(root / "training_2" / folder_name("VSD", 0) / ("._" + folder_name("VSD", 0) + ".nii"));
}

TEST(Isles, DiscoverIsles_FindsCasesInOrderAndIgnoresJunk) {
  TempDir dir;
  write_dataset(dir.path());
  const IslesDataset d = discover_isles(dir.path().string());
  ASSERT_EQ(d.cases.size(), 3u);
  EXPECT_EQ(d.cases[0].name, "training_2");
  EXPECT_EQ(d.cases[1].name, "training_10");
  EXPECT_EQ(d.cases[2].name, "test_1");
  EXPECT_EQ(d.cases[1].split, Split::Training);
  EXPECT_EQ(d.cases[1].number, 10);
  EXPECT_EQ(d.cases[2].split, Split::Test);
  EXPECT_EQ(d.cases[2].number, 1);
  EXPECT_EQ(d.cases[1].mtt_id, "101");

  const CaseFiles& vsd = d.cases[0];
  for (int m = 0; m < 6; ++m)
    EXPECT_EQ(vsd.modality_paths[m], (dir.path() / "training_2" / folder_name("VSD", m) /
                                      (folder_name("VSD", m) + ".nii.gz"))
                                         .string());
  EXPECT_NE(vsd.ot_path.find("VSD.Brain.XX.O.OT.106.nii.gz"), std::string::npos);
  EXPECT_TRUE(d.cases[2].ot_path.empty());
  EXPECT_EQ(cases_of(d, Split::Test).size(), 1u);
  EXPECT_EQ(cases_of(d, Split::Training).size(), 2u);
}

TEST(Isles, LoadCase_StacksModalitiesInOrderWithBinaryLabel) {
  TempDir dir;
  write_dataset(dir.path());
  const IslesDataset d = discover_isles(dir.path().string());
  const CaseVolumes c = load_case(d.cases[0]);
  EXPECT_EQ(c.name, "training_2");
  ASSERT_EQ(c.image.sizes(), (std::vector<int64_t>{6, 2, 3, 4}));
  for (int m = 0; m < 6; ++m) EXPECT_TRUE(torch::all(c.image[m] == m + 1).item<bool>()) << m;
  ASSERT_TRUE(c.label.defined());
  EXPECT_EQ(c.label.scalar_type(), torch::kUInt8);
  EXPECT_EQ(c.label.sum().item<int64_t>(), 1);
  EXPECT_EQ(c.label[1][2][3].item<int>(), 1);
  EXPECT_EQ(c.geometry.size_dhw(), (std::array<int64_t, 3>{2, 3, 4}));
  EXPECT_FALSE(load_case(d.cases[2]).label.defined());
}

TEST(Isles, ParseCaseList_AcceptsNumbersAndRanges) {
  EXPECT_EQ(parse_case_list("1,4,27"), (std::vector<int>{1, 4, 27}));
  EXPECT_EQ(parse_case_list("1-10").size(), 10u);
  EXPECT_EQ(parse_case_list("7, 1-3"), (std::vector<int>{1, 2, 3, 7}));
  // fuzz_parsers: a range of 716,271 cases took seconds to sort and check.
  EXPECT_EQ(error_of([] { parse_case_list("02-716272,27", "--cases"); }),
            "--cases: '02-716272,27' lists more than 100000 cases");
  EXPECT_EQ(parse_case_list("1-99999").size(), 99999u);
  const std::string twice = error_of([] { parse_case_list("3,2-3", "--cases"); });
  EXPECT_EQ(twice, "--cases: case 3 is listed twice in '3,2-3'");
}

TEST(Isles, ParseCaseList_MalformedNamesOptionAndToken) {
  for (const std::string bad : {"1-", "a", "5-3", "1,,2", "-2"}) {
    const std::string message = error_of([&] { parse_case_list(bad, "--val-cases"); });
    EXPECT_EQ(message.rfind("--val-cases", 0), 0u) << message;
    EXPECT_NE(message.find("'" + bad + "'"), std::string::npos) << message;
  }
  EXPECT_NE(error_of([] { parse_case_list(""); }).find("--cases"), std::string::npos);
}

TEST(Isles, SelectCases_KeepsGivenOrderAndListsUnknownNumbers) {
  TempDir dir;
  write_dataset(dir.path());
  const IslesDataset d = discover_isles(dir.path().string());
  const auto picked = select_cases(d, {10, 2}, Split::Training);
  ASSERT_EQ(picked.size(), 2u);
  EXPECT_EQ(picked[0].name, "training_10");
  EXPECT_EQ(picked[1].name, "training_2");
  EXPECT_EQ(select_cases(d, {1}, Split::Test)[0].name, "test_1");

  const std::string message = error_of([&] { select_cases(d, {2, 99, 100, 1}, Split::Training); });
  EXPECT_NE(message.find(dir.path().string()), std::string::npos) << message;
  EXPECT_NE(message.find("1, 99-100"), std::string::npos) << message;
}

TEST(Isles, DiscoverIsles_MissingModalityNamesCase) {
  TempDir dir;
  write_case(dir.path() / "training_1", "SMIR", true);
  fs::remove_all(dir.path() / "training_1" / folder_name("SMIR", 3));
  fs::remove_all(dir.path() / "training_1" / folder_name("SMIR", 6));
  const std::string message = error_of([&] { discover_isles(dir.path().string()); });
  EXPECT_NE(message.find((dir.path() / "training_1").string()), std::string::npos) << message;
  EXPECT_NE(message.find("missing MR_rCBV, OT"), std::string::npos) << message;
}

TEST(Isles, DiscoverIsles_DuplicateModalityNamesBothFiles) {
  TempDir dir;
  write_case(dir.path() / "training_1", "SMIR", true);
  const fs::path extra = dir.path() / "training_1" / "SMIR.Brain.XX.O.MR_ADC.555";
  fs::create_directories(extra);
  touch(extra / "SMIR.Brain.XX.O.MR_ADC.555.nii");
  const std::string message = error_of([&] { discover_isles(dir.path().string()); });
  EXPECT_NE(message.find("MR_ADC.555.nii"), std::string::npos) << message;
  EXPECT_NE(message.find("MR_ADC.100.nii"), std::string::npos) << message;
  EXPECT_NE(message.find("twice"), std::string::npos) << message;
}

TEST(Isles, DiscoverIsles_ModalityFolderWithoutNiftiIsReported) {
  TempDir dir;
  write_case(dir.path() / "training_1", "SMIR", true);
  fs::remove(dir.path() / "training_1" / folder_name("SMIR", 6) /
             (folder_name("SMIR", 6) + ".nii"));
  const std::string message = error_of([&] { discover_isles(dir.path().string()); });
  EXPECT_NE(message.find(folder_name("SMIR", 6)), std::string::npos) << message;
  EXPECT_NE(message.find("no .nii"), std::string::npos) << message;
}

TEST(Isles, DiscoverIsles_MissingRootOrNoCasesThrow) {
  TempDir dir;
  const std::string absent = dir.file("nowhere");
  EXPECT_EQ(error_of([&] { discover_isles(absent); }).rfind(absent, 0), 0u);
  touch(dir.path() / "README");
  EXPECT_NE(error_of([&] { discover_isles(dir.path().string()); }).find("no ISLES cases"),
            std::string::npos);
}

TEST(Isles, LoadCase_GridMismatchNamesCaseFileAndGrids) {
  TempDir dir;
  write_case(dir.path() / "training_1", "SMIR", true);
  const std::string mtt = write_modality(dir.path() / "training_1", "SMIR", 1, {2, 3, 5});
  const IslesDataset d = discover_isles(dir.path().string());
  const std::string message = error_of([&] { load_case(d.cases[0]); });
  EXPECT_EQ(message.rfind("training_1: " + mtt, 0), 0u) << message;
  EXPECT_NE(message.find("5x3x2"), std::string::npos) << message;
  EXPECT_NE(message.find("4x3x2"), std::string::npos) << message;
}

TEST(Isles, LoadCase_ModalitiesOffTheAdcAffineNameBothFiles) {
  TempDir dir;
  write_case(dir.path() / "training_1", "SMIR", true);
  // Within the tolerance: loads.
  write_modality(dir.path() / "training_1", "SMIR", 2, {2, 3, 4}, ".nii", {0, 0, 4e-4});
  EXPECT_NO_THROW(load_case(discover_isles(dir.path().string()).cases[0]));
  const std::string rcbv =
      write_modality(dir.path() / "training_1", "SMIR", 3, {2, 3, 4}, ".nii", {0, 2.5, 0});
  const IslesDataset d = discover_isles(dir.path().string());
  const std::string message = error_of([&] { load_case(d.cases[0]); });
  EXPECT_EQ(message.rfind("training_1: " + rcbv, 0), 0u) << message;
  EXPECT_NE(message.find(d.cases[0].modality_paths[0]), std::string::npos) << message;
  EXPECT_NE(message.find("affines differ"), std::string::npos) << message;
}

}  // namespace
}  // namespace lrpseg::test
