// Dataset discovery and case loading over folder trees built from the input:
// each record (5 bytes + content) creates a file or folder from a vocabulary of
// ISLES 2017 and nnU-Net names, filled with a valid tiny NIfTI volume, a
// dataset.json, nothing, or the input's own bytes. Discovery in both layouts and
// loading the first cases must succeed or be refused with lrpseg::Error.
#include <array>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_input.h"
#include "io/isles.h"
#include "io/nifti.h"
#include "io/nnunet.h"
#include "util/error.h"

using namespace lrpseg;
namespace fs = std::filesystem;

namespace {

const std::array<const char*, 24> kFolders = {"training_1",
                                              "training_2",
                                              "test_3",
                                              "training_x",
                                              "SMIR.Brain.XX.O.MR_ADC.1",
                                              "SMIR.Brain.XX.O.MR_MTT.2",
                                              "SMIR.Brain.XX.O.MR_rCBF.3",
                                              "SMIR.Brain.XX.O.MR_rCBV.4",
                                              "SMIR.Brain.XX.O.MR_Tmax.5",
                                              "SMIR.Brain.XX.O.MR_TTP.6",
                                              "SMIR.Brain.XX.O.OT.7",
                                              "SMIR.Brain.XX.O.MR_ADC.8",
                                              "imagesTr",
                                              "labelsTr",
                                              "imagesTs",
                                              "__MACOSX",
                                              ".hidden",
                                              "ISLES2017_Training",
                                              "training_10",
                                              "training_01",
                                              "test_1",
                                              "sub",
                                              "OT",
                                              "MR_ADC"};
const std::array<const char*, 19> kFiles = {"SMIR.Brain.XX.O.MR_ADC.1.nii",
                                            "SMIR.Brain.XX.O.MR_MTT.2.nii.gz",
                                            "SMIR.Brain.XX.O.OT.7.nii",
                                            "case_0000.nii.gz",
                                            "case_0001.nii.gz",
                                            "case_0005.nii.gz",
                                            "case.nii.gz",
                                            "case_0006.nii.gz",
                                            "dataset.json",
                                            "x.nii",
                                            "x.nii.gz",
                                            "._x.nii",
                                            "README",
                                            "ISLES_0001_0000.nii.gz",
                                            "ISLES_0001.nii.gz",
                                            "a.NII",
                                            "case_0002.nii.gz",
                                            "case_0003.nii.gz",
                                            "case_0004.nii.gz"};

// A valid 2x2x2 volume that the content byte may pick.
const std::string& tiny_volume() {
  static const std::string bytes = [] {
    const std::string path = (fuzz::scratch_folder() / "tiny.nii").string();
    write_nifti(path, torch::ones({2, 2, 2}), make_nifti_header({2, 2, 2}, {1, 1, 1}),
                OutputType::Float32);
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  return bytes;
}

const char* kDatasetJson =
    R"({"channel_names": {"0": "ADC", "1": "MTT", "2": "rCBF", "3": "rCBV", "4": "Tmax",
        "5": "TTP"}, "labels": {"background": 0, "lesion": 1}, "file_ending": ".nii.gz"})";

void build_tree(const fs::path& root, const uint8_t* data, size_t size) {
  size_t k = 0;
  // depth (0-2), two folder names, file name or (high bit) folder name, content
  while (k + 5 <= size) {
    const uint8_t depth = data[k] % 3, what = data[k + 3], content = data[k + 4];
    fs::path dir = root;
    for (int level = 0; level < depth; ++level)
      dir /= kFolders[data[k + 1 + level] % kFolders.size()];
    k += 5;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (what & 0x80) {
      fs::create_directories(dir / kFolders[what % kFolders.size()], ec);
      continue;
    }
    const fs::path file = dir / kFiles[what % kFiles.size()];
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    switch (content % 4) {
      case 0:
        out << tiny_volume();
        break;
      case 1:
        out << kDatasetJson;
        break;
      case 2:
        break;
      default: {
        const size_t n = std::min<size_t>(content, size - k);
        out.write(reinterpret_cast<const char*>(data + k), static_cast<std::streamsize>(n));
        k += n;
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fs::path root = fuzz::scratch_folder() / "dataset";
  fs::remove_all(root);
  fs::create_directories(root);
  build_tree(root, data, size);
  for (const DatasetLayout layout :
       {DatasetLayout::Auto, DatasetLayout::Isles2017, DatasetLayout::NnUnet}) {
    try {
      const IslesDataset dataset = discover_dataset(root.string(), layout);
      for (size_t c = 0; c < dataset.cases.size() && c < 2; ++c) {
        try {
          (void)load_case(dataset.cases[c]);
        } catch (const Error&) {
        }
      }
    } catch (const Error&) {
    }
  }
  return 0;
}
