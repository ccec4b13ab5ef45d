#include "io/isles.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>

#include "util/error.h"
#include "util/text.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;

// Folder tokens of the six inputs in kModalities order, then the ground truth.
constexpr std::array<const char*, 7> kTokens = {"MR_ADC",  "MR_MTT", "MR_rCBF", "MR_rCBV",
                                                "MR_Tmax", "MR_TTP", "OT"};
constexpr int kOtSlot = 6;

// macOS archive debris (__MACOSX, ._*, .DS_Store) and other hidden entries.
bool is_junk(const std::string& name) {
  return name.empty() || name[0] == '.' || name == "__MACOSX";
}

// "x.nii.gz" -> "x", "x.nii" -> "x", otherwise nullopt.
std::optional<std::string> strip_nifti_extension(const std::string& name) {
  for (const char* ext : {".nii.gz", ".nii"})
    if (ends_with(name, ext)) return name.substr(0, name.size() - std::string(ext).size());
  return std::nullopt;
}

std::vector<fs::directory_entry> list_dir(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    entries.push_back(*it);
  if (ec) throw Error(dir.string() + ": cannot list directory: " + ec.message());
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path() < b.path(); });
  return entries;
}

bool parse_case_folder(const std::string& name, Split& split, int& number) {
  static const std::regex pattern("(training|test)_([0-9]{1,6})");
  std::smatch m;
  if (!std::regex_match(name, m, pattern)) return false;
  split = m[1] == "training" ? Split::Training : Split::Test;
  number = std::stoi(m[2]);
  return true;
}

// "<P>.Brain.XX.O.<MOD>.<id>" -> (slot of MOD, id); nullopt for MR_4DPWI and
// anything else that is not one of kTokens.
std::optional<std::pair<int, std::string>> parse_modality_name(const std::string& name) {
  const auto last = name.rfind('.');
  if (last == std::string::npos || last == 0 || last + 1 == name.size()) return std::nullopt;
  const auto before = name.rfind('.', last - 1);
  const std::string token = name.substr(before == std::string::npos ? 0 : before + 1,
                                        last - (before == std::string::npos ? 0 : before + 1));
  for (int slot = 0; slot < int(kTokens.size()); ++slot)
    if (token == kTokens[slot]) return std::make_pair(slot, name.substr(last + 1));
  return std::nullopt;
}

// The volume inside a modality folder: the file named like the folder, else its
// only NIfTI file.
std::string nifti_in(const fs::path& folder, const std::string& case_dir) {
  const std::string name = folder.filename().string();
  std::vector<std::string> found;
  std::vector<std::string> exact;
  for (const auto& e : list_dir(folder)) {
    const std::string file = e.path().filename().string();
    const auto stem = strip_nifti_extension(file);
    if (is_junk(file) || !stem || !e.is_regular_file()) continue;
    found.push_back(e.path().string());
    if (*stem == name) exact.push_back(e.path().string());
  }
  if (exact.size() == 1) return exact[0];
  if (found.size() == 1) return found[0];
  if (found.empty())
    throw Error(case_dir + ": modality folder " + name + " contains no .nii or .nii.gz file");
  const auto& list = exact.empty() ? found : exact;
  std::string names;
  for (const auto& f : list) names += (names.empty() ? "" : ", ") + fs::path(f).filename().string();
  throw Error(case_dir + ": modality folder " + name + " contains several NIfTI files (" + names +
              ")");
}

CaseFiles scan_case(const fs::path& dir, Split split, int number) {
  const std::string case_dir = dir.string();
  std::array<std::string, 7> paths, ids;
  for (const auto& e : list_dir(dir)) {
    const std::string name = e.path().filename().string();
    if (is_junk(name)) continue;
    std::optional<std::pair<int, std::string>> parsed;
    std::string path;
    if (e.is_directory()) {
      parsed = parse_modality_name(name);
      if (parsed) path = nifti_in(e.path(), case_dir);
    } else if (const auto stem = strip_nifti_extension(name); stem && e.is_regular_file()) {
      parsed = parse_modality_name(*stem);  // a volume placed directly in the case folder
      path = e.path().string();
    }
    if (!parsed) continue;
    const auto [slot, id] = *parsed;
    if (!paths[slot].empty())
      throw Error(case_dir + ": " + kTokens[slot] + " is present twice: " + paths[slot] + " and " +
                  path);
    paths[slot] = path;
    ids[slot] = id;
  }
  std::string missing;
  const int required = split == Split::Training ? 7 : 6;
  for (int slot = 0; slot < required; ++slot)
    if (paths[slot].empty()) missing += (missing.empty() ? "" : ", ") + std::string(kTokens[slot]);
  if (!missing.empty())
    throw Error(case_dir + ": missing " + missing + " (a " + split_name(split) +
                " case needs MR_ADC, MR_MTT, MR_rCBF, MR_rCBV, MR_Tmax, MR_TTP" +
                (split == Split::Training ? " and OT)" : ")"));
  CaseFiles files;
  files.name = dir.filename().string();
  files.split = split;
  files.number = number;
  std::copy(paths.begin(), paths.begin() + 6, files.modality_paths.begin());
  files.ot_path = paths[kOtSlot];
  files.mtt_id = ids[1];
  return files;
}

// Case folders directly in `dir`, or (depth 0) in its subfolders.
void collect_case_dirs(const fs::path& dir, int depth,
                       std::map<std::pair<Split, int>, fs::path>& found) {
  for (const auto& e : list_dir(dir)) {
    const std::string name = e.path().filename().string();
    if (is_junk(name) || !e.is_directory()) continue;
    Split split;
    int number;
    if (parse_case_folder(name, split, number)) {
      const auto [it, inserted] = found.emplace(std::make_pair(split, number), e.path());
      if (!inserted)
        throw Error(dir.string() + ": case " + name + " found twice: " + it->second.string() +
                    " and " + e.path().string());
    } else if (depth == 0) {
      collect_case_dirs(e.path(), 1, found);
    }
  }
}

// A case number: 1 to 6 digits.
std::optional<int> parse_case_number(const std::string& s) {
  if (s.empty() || s.size() > 6 || !std::all_of(s.begin(), s.end(), ::isdigit)) return std::nullopt;
  return std::stoi(s);
}

// {1,2,3,6} -> "1-3, 6"
std::string ranges_string(std::vector<int> numbers) {
  std::sort(numbers.begin(), numbers.end());
  std::string s;
  for (size_t i = 0; i < numbers.size();) {
    size_t j = i;
    while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1) ++j;
    s += (s.empty() ? "" : ", ") + std::to_string(numbers[i]);
    if (j > i) s += "-" + std::to_string(numbers[j]);
    i = j + 1;
  }
  return s.empty() ? "none" : s;
}

}  // namespace

std::optional<size_t> find_modality(const std::string& name) {
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  for (size_t m = 0; m < kModalities.size(); ++m)
    if (lower(name) == lower(kModalities[m])) return m;
  return std::nullopt;
}

const char* split_name(Split split) { return split == Split::Training ? "training" : "test"; }

IslesDataset discover_isles(const std::string& root) {
  std::error_code ec;
  const auto status = fs::status(root, ec);
  if (!fs::exists(status)) throw Error(root + ": dataset root does not exist");
  if (!fs::is_directory(status)) throw Error(root + ": dataset root is not a directory");
  std::map<std::pair<Split, int>, fs::path> dirs;  // Training < Test, then by number
  collect_case_dirs(root, 0, dirs);
  if (dirs.empty())
    throw Error(root +
                ": no ISLES cases found (expected folders training_N or test_N, directly in it "
                "or one level below)");
  IslesDataset dataset{root, {}};
  for (const auto& [key, dir] : dirs)
    dataset.cases.push_back(scan_case(dir, key.first, key.second));
  return dataset;
}

constexpr size_t kMaxListedCases = 100000;

std::vector<int> parse_case_list(const std::string& spec, const std::string& option_name) {
  if (trim(spec).empty()) throw_option_error(option_name, ": empty case list");
  std::vector<int> numbers;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    if (comma == std::string::npos) comma = spec.size();
    const std::string token = trim(spec.substr(start, comma - start));
    const auto bad = [&](const std::string& why) {
      throw_option_error(option_name, ": bad case token '" + token + "' in '" + spec + "' (" + why +
                                          "; expected e.g. 1,4,27 or 1-10 or 1-3,7)");
    };
    const auto dash = token.find('-');
    if (dash == std::string::npos) {
      const auto n = parse_case_number(token);
      if (!n) bad("not a case number");
      numbers.push_back(*n);
    } else {
      const auto a = parse_case_number(trim(token.substr(0, dash)));
      const auto b = parse_case_number(trim(token.substr(dash + 1)));
      if (!a || !b) bad("not a range A-B");
      if (*a > *b) bad("descending range");
      // No dataset has this many cases; a range this long is a typo (and costs
      // seconds to check, as fuzz_parsers found with 02-716272).
      if (numbers.size() + static_cast<size_t>(*b - *a) >= kMaxListedCases)
        throw_option_error(option_name, ": '" + spec + "' lists more than " +
                                            std::to_string(kMaxListedCases) + " cases");
      for (int n = *a; n <= *b; ++n) numbers.push_back(n);
    }
    start = comma + 1;
  }
  // A case listed twice is a typo more often than an intent, and would count twice.
  std::sort(numbers.begin(), numbers.end());
  const auto twice = std::adjacent_find(numbers.begin(), numbers.end());
  if (twice != numbers.end())
    throw_option_error(option_name,
                       ": case " + std::to_string(*twice) + " is listed twice in '" + spec + "'");
  return numbers;
}

std::vector<CaseFiles> cases_of(const IslesDataset& dataset, Split split) {
  std::vector<CaseFiles> out;
  for (const auto& c : dataset.cases)
    if (c.split == split) out.push_back(c);
  return out;
}

std::vector<CaseFiles> select_cases(const IslesDataset& dataset, const std::vector<int>& numbers,
                                    Split split) {
  std::vector<CaseFiles> out;
  std::vector<int> unknown;
  for (int n : numbers) {
    const auto it =
        std::find_if(dataset.cases.begin(), dataset.cases.end(),
                     [&](const CaseFiles& c) { return c.split == split && c.number == n; });
    if (it == dataset.cases.end())
      unknown.push_back(n);
    else
      out.push_back(*it);
  }
  if (!unknown.empty()) {
    std::vector<int> available;
    for (const auto& c : cases_of(dataset, split)) available.push_back(c.number);
    throw Error(dataset.root + ": no " + split_name(split) + " case " + ranges_string(unknown) +
                " (" + split_name(split) + " cases there: " + ranges_string(available) + ")");
  }
  return out;
}

CaseFiles case_from_files(const std::vector<std::string>& images,
                          const std::vector<std::string>& modalities, const std::string& label,
                          const std::string& name) {
  if (images.size() != kModalities.size())
    throw UsageError("--images: " + std::to_string(images.size()) +
                     " files given; a case needs the six maps ADC, MTT, rCBF, rCBV, Tmax, TTP");
  if (modalities.size() != images.size())
    throw UsageError("--modalities: " + std::to_string(modalities.size()) + " names for " +
                     std::to_string(images.size()) + " --images files");
  CaseFiles files;
  files.name = name;
  files.split = label.empty() ? Split::Test : Split::Training;
  files.number = 1;
  for (size_t i = 0; i < images.size(); ++i) {
    const std::optional<size_t> found = find_modality(modalities[i]);
    if (!found)
      throw UsageError("--modalities: unknown modality '" + modalities[i] +
                       "' (expected ADC, MTT, rCBF, rCBV, Tmax and TTP)");
    const size_t m = *found;
    if (!files.modality_paths[m].empty())
      throw UsageError("--modalities: " + std::string(kModalities[m]) + " is named twice");
    if (!fs::is_regular_file(images[i])) throw UsageError("--images: " + images[i] + ": not found");
    files.modality_paths[m] = images[i];
  }
  if (!label.empty() && !fs::is_regular_file(label))
    throw UsageError("--label: " + label + ": not found");
  files.ot_path = label;
  return files;
}

CaseVolumes load_case(const CaseFiles& files) {
  const Volume adc = read_nifti_3d(files.modality_paths[0], files.non_finite);
  const auto check_grid = [&](const Volume& v) {
    if (v.header.size_dhw() != adc.header.size_dhw())
      throw Error(files.name + ": " + v.path + " has grid " + nifti_dims_string(v.header) +
                  " but the ADC volume " + adc.path + " has " + nifti_dims_string(adc.header) +
                  "; all volumes of a case must share one grid");
    if (!same_affine(v.header, adc.header))
      throw Error(files.name + ": " + v.path + " and the ADC volume " + adc.path +
                  " place their voxels differently (voxel-to-world affines differ by more than "
                  "1e-3 mm); all volumes of a case must be co-registered on one grid");
  };
  // A map of zeros is a failed export or conversion, not a measurement: it
  // would train and explain as if the modality carried no signal.
  const auto check_signal = [&](const Volume& v) {
    if (!v.data.ne(0).any().item<bool>())
      throw Error(files.name + ": " + v.path +
                  " holds only zeros (an empty modality map; check the file's export)");
  };
  check_signal(adc);
  std::vector<torch::Tensor> channels{adc.data};
  for (size_t m = 1; m < kModalities.size(); ++m) {
    const Volume v = read_nifti_3d(files.modality_paths[m], files.non_finite);
    check_grid(v);
    check_signal(v);
    channels.push_back(v.data);
  }
  CaseVolumes out;
  out.name = files.name;
  out.image = torch::stack(channels);
  out.geometry = adc.header;
  if (!files.ot_path.empty()) {
    const Volume ot = read_nifti_3d(files.ot_path, files.non_finite);
    check_grid(ot);
    out.label = (ot.data > 0.5).to(torch::kUInt8);
  }
  return out;
}

}  // namespace lrpseg
