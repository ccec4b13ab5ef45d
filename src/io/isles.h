#pragma once
// ISLES 2017 dataset discovery and case loading (DESIGN.md §1):
// ROOT/training_N/<P>.Brain.XX.O.<MOD>.<id>/<P>.Brain.XX.O.<MOD>.<id>.nii[.gz]
// and ROOT/test_N/... without OT; case folders may also sit one level below ROOT.
#include <torch/torch.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "io/nifti.h"

namespace lrpseg {

// The fixed channel order of every input tensor.
inline constexpr std::array<const char*, 6> kModalities = {"ADC",  "MTT",  "rCBF",
                                                           "rCBV", "Tmax", "TTP"};

// The index in kModalities of `name`, case-insensitively ("adc" → 0), or nullopt.
std::optional<size_t> find_modality(const std::string& name);

enum class Split { Training, Test };

// "training" or "test", as in the case folder names.
const char* split_name(Split split);

struct CaseFiles {
  std::string name;  // folder name, e.g. "training_4"
  Split split;
  int number;                                 // 4
  std::array<std::string, 6> modality_paths;  // NIfTI paths in kModalities order
  std::string ot_path;                        // empty when the case has no OT (test cases)
  std::string mtt_id;  // <id> of the case's MR_MTT folder (for ISLES submission names)
  NonFinite non_finite = NonFinite::Refuse;  // how load_case treats NaN/Inf voxels
};

// Cases sorted: training by number, then test by number.
struct IslesDataset {
  std::string root;
  std::vector<CaseFiles> cases;
};

// Finds every case under `root`. Throws lrpseg::Error for a missing root, no case,
// a training case without all six modalities and OT, a modality present twice,
// or a modality folder without a NIfTI file.
IslesDataset discover_isles(const std::string& root);

// "1,4,27", "1-10", "1-3,7" -> sorted numbers; a malformed list, or a case
// listed twice, throws an Error naming `option_name` and the bad token.
std::vector<int> parse_case_list(const std::string& spec,
                                 const std::string& option_name = "--cases");

// Cases of `split` with these numbers, in the given order; unknown numbers throw
// an Error listing them and the dataset root.
std::vector<CaseFiles> select_cases(const IslesDataset& dataset, const std::vector<int>& numbers,
                                    Split split);

std::vector<CaseFiles> cases_of(const IslesDataset& dataset, Split split);

struct CaseVolumes {
  std::string name;
  torch::Tensor image;   // (6, D, H, W) float32, raw (unnormalised) values, kModalities order
  torch::Tensor label;   // (D, H, W) uint8 in {0,1} (OT > 0.5), undefined when no OT
  NiftiHeader geometry;  // header of the ADC volume (outputs copy it)
};

// One case given as files (--images): `images` in the order `modalities` names
// them (each of kModalities once, case-insensitive), an optional label file.
// Throws lrpseg::UsageError naming --images/--modalities/--label for a wrong
// count, an unknown or repeated modality, or a file that does not exist.
CaseFiles case_from_files(const std::vector<std::string>& images,
                          const std::vector<std::string>& modalities, const std::string& label,
                          const std::string& name);

// Reads a case's volumes; they must be 3-D and share one grid.
CaseVolumes load_case(const CaseFiles& files);

}  // namespace lrpseg
