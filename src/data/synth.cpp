#include "data/synth.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <system_error>

#include "data/random.h"
#include "data/synth_model.h"
#include "io/nifti.h"
#include "util/error.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;

// ISLES 2017 modality tokens, in SynthVolume order.
constexpr const char* kTokens[kSynthVolumeCount] = {"MR_ADC",  "MR_MTT", "MR_rCBF", "MR_rCBV",
                                                    "MR_Tmax", "MR_TTP", "OT"};

// Part of each case's seed, so training_3 and test_3 differ.
enum class Split : uint64_t { Training = 0, Test = 1 };

std::string case_name(Split split, int case_number) {
  return (split == Split::Training ? "training_" : "test_") + std::to_string(case_number);
}

// Folder and file stem, e.g. SMIR.Brain.XX.O.MR_ADC.100300. ISLES mixes SMIR and
// VSD exports (every 5th case here) and numbers every modality folder differently.
std::string volume_stem(Split split, int case_number, int volume) {
  const char* prefix = case_number % 5 == 0 ? "VSD" : "SMIR";
  const int64_t id = (split == Split::Training ? 100000 : 500000) +
                     100 * static_cast<int64_t>(case_number) + volume;
  return std::string(prefix) + ".Brain.XX.O." + kTokens[volume] + "." + std::to_string(id);
}

// ISLES datatypes: int16 ADC with a scale slope, float32 perfusion maps, uint8 OT.
OutputType output_type(int volume) {
  if (volume == kSynthADC) return OutputType::Int16;
  if (volume == kSynthOT) return OutputType::Label;
  return OutputType::Float32;
}

bool is_case_folder_name(const std::string& name) {
  return name.rfind("training_", 0) == 0 || name.rfind("test_", 0) == 0;
}

// Creates `out`, or accepts an existing directory that holds no cases: existing
// data is never overwritten or mixed with synthetic cases.
void prepare_output_dir(const fs::path& out) {
  if (!fs::exists(out)) {
    fs::create_directories(out);
    return;
  }
  if (!fs::is_directory(out)) throw Error(out.string() + ": exists and is not a directory");
  for (const auto& entry : fs::directory_iterator(out)) {
    const std::string name = entry.path().filename().string();
    if (is_case_folder_name(name)) {
      throw Error(out.string() + ": already holds ISLES cases (" + name +
                  "); synth never overwrites data, choose a new or empty directory");
    }
  }
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string trimmed(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

void write_case(const fs::path& out, Split split, int case_number, uint64_t seed,
                const SynthEvidence& evidence) {
  const std::string name = case_name(split, case_number);
  // Seeded by (seed, split, case number) alone: case k does not depend on how many are made.
  const uint64_t case_seed =
      derive_seed({seed, static_cast<uint64_t>(split), static_cast<uint64_t>(case_number)});
  const SynthCase synth = render_synthetic_case(case_seed, case_number - 1, evidence);

  const auto& [d, h, w] = synth.size_dhw;
  const auto& s = synth.spacing_ijk;
  // Origin at minus half the field of view: the volume centre is the scanner origin.
  const NiftiHeader header = make_nifti_header(
      synth.size_dhw, s, {-0.5 * (w - 1) * s[0], -0.5 * (h - 1) * s[1], -0.5 * (d - 1) * s[2]});

  // Hidden (dot) name, so dataset discovery never sees a half-written case.
  const fs::path partial = out / ("." + name + ".partial");
  fs::remove_all(partial);  // left over from an interrupted run
  fs::create_directory(partial);
  try {
    for (int v = 0; v < kSynthVolumeCount; ++v) {
      if (v == kSynthOT && split == Split::Test) continue;
      const std::string stem = volume_stem(split, case_number, v);
      fs::create_directory(partial / stem);
      write_nifti((partial / stem / (stem + ".nii")).string(), synth.volumes[v], header,
                  output_type(v), v == kSynthADC ? synth.adc_slope : 1.0);
    }
    fs::rename(partial, out / name);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(partial, ignored);
    throw;
  }
}

}  // namespace

std::vector<int> evidence_channels(const SynthEvidence& evidence) {
  std::vector<int> channels;
  for (int c = 0; c < kSynthModalityCount; ++c) {
    if (evidence[c]) channels.push_back(c);
  }
  return channels;
}

SynthEvidence parse_evidence_modalities(const std::string& list) {
  const std::string valid = " (valid: ADC, MTT, rCBF, rCBV, Tmax, TTP, comma-separated)";
  if (trimmed(list).empty()) throw UsageError("--evidence: no modality given" + valid);
  SynthEvidence evidence{};
  size_t begin = 0;
  while (true) {
    const size_t end = std::min(list.find(',', begin), list.size());
    const std::string token = trimmed(list.substr(begin, end - begin));
    std::string name = lowercase(token);
    if (name.rfind("mr_", 0) == 0) name.erase(0, 3);
    int found = -1;
    for (int m = 0; m < kSynthModalityCount; ++m)
      if (name == lowercase(kTokens[m] + 3)) found = m;  // the token without "MR_"
    if (found < 0) {
      throw UsageError(
          "--evidence: " +
          (token.empty() ? "empty name in '" + list + "'" : "unknown modality '" + token + "'") +
          valid);
    }
    if (evidence[found]) throw UsageError("--evidence: '" + token + "' is named twice" + valid);
    evidence[found] = true;
    if (end == list.size()) return evidence;
    begin = end + 1;
  }
}

void synthesize_isles(const SynthOptions& options, const std::function<void(int, int)>& progress) {
  if (options.out_dir.empty()) throw Error("synth: no output directory given (--out)");
  if (options.training_cases < 0 || options.test_cases < 0) {
    throw Error("synth: case counts must not be negative (--cases " +
                std::to_string(options.training_cases) + ", --test-cases " +
                std::to_string(options.test_cases) + ")");
  }
  const int total = options.training_cases + options.test_cases;
  if (total == 0) throw Error("synth: nothing to generate (--cases 0 and --test-cases 0)");

  try {
    const fs::path out(options.out_dir);
    prepare_output_dir(out);
    int done = 0;
    for (int n = 1; n <= options.training_cases; ++n) {
      write_case(out, Split::Training, n, options.seed, options.evidence);
      if (progress) progress(++done, total);
    }
    for (int n = 1; n <= options.test_cases; ++n) {
      write_case(out, Split::Test, n, options.seed, options.evidence);
      if (progress) progress(++done, total);
    }
  } catch (const fs::filesystem_error& e) {
    throw Error(std::string("synth: ") + e.what());
  }
}

}  // namespace lrpseg
