#include "io/nnunet.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "util/atomic_file.h"
#include "util/error.h"
#include "util/text.h"

namespace lrpseg {

namespace {

namespace fs = std::filesystem;

// File number of each modality (kModalities order) from dataset.json's channel_names.
std::array<int, 6> modality_channels(const nlohmann::json& j, const std::string& source) {
  if (!j.contains("channel_names") || !j.at("channel_names").is_object())
    throw Error(source + ": no \"channel_names\" object (nnU-Net v2 dataset.json)");
  std::array<int, 6> channel;
  channel.fill(-1);
  for (const auto& [number, name] : j.at("channel_names").items()) {
    if (!name.is_string()) throw Error(source + ": channel_names." + number + " is not a name");
    const std::optional<size_t> m = find_modality(name.get<std::string>());
    if (!m) continue;  // a channel the network does not read
    if (channel[*m] >= 0) throw Error(source + ": two channels are named " + kModalities[*m]);
    if (number.empty() || number.size() > 4 ||
        number.find_first_not_of("0123456789") != std::string::npos)
      throw Error(source + ": channel number '" + number + "' is not a number");
    channel[*m] = std::stoi(number);
  }
  std::string missing;
  for (size_t m = 0; m < kModalities.size(); ++m)
    if (channel[m] < 0) missing += (missing.empty() ? "" : ", ") + std::string(kModalities[m]);
  if (!missing.empty())
    throw Error(source + ": channel_names lacks " + missing +
                " (the network reads ADC, MTT, rCBF, rCBV, Tmax and TTP)");
  return channel;
}

std::string channel_suffix(int channel) {
  char s[16];  // room for any int: -Wformat-truncation
  std::snprintf(s, sizeof s, "_%04d", channel);
  return s;
}

// The trailing digits of an identifier, e.g. "ISLES_0017" → 17.
std::optional<int> trailing_number(const std::string& id) {
  size_t start = id.size();
  while (start > 0 && std::isdigit(static_cast<unsigned char>(id[start - 1]))) --start;
  if (start == id.size() || id.size() - start > 6) return std::nullopt;
  return std::stoi(id.substr(start));
}

void add_cases(const fs::path& root, const std::string& images, const std::string& labels,
               Split split, const std::array<int, 6>& channel, const std::string& ending,
               IslesDataset& dataset) {
  const fs::path dir = root / images;
  if (!fs::is_directory(dir)) return;
  // Case identifiers: the files of the first modality's channel.
  const std::string first = channel_suffix(channel[0]) + ending;
  std::map<int, std::string> ids;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    const std::string name = f.filename().string();
    if (name.empty() || name[0] == '.' || !ends_with(name, first)) continue;
    const std::string id = name.substr(0, name.size() - first.size());
    const auto number = trailing_number(id);
    if (!number)
      throw Error(f.string() + ": case identifier '" + id +
                  "' has no trailing number (lrpseg selects cases by number)");
    const auto [it, fresh] = ids.emplace(*number, id);
    if (!fresh)
      throw Error(dir.string() + ": cases " + it->second + " and " + id + " share number " +
                  std::to_string(*number));
  }
  for (const auto& [number, id] : ids) {
    CaseFiles c;
    c.name = id;
    c.split = split;
    c.number = number;
    for (size_t m = 0; m < kModalities.size(); ++m) {
      const fs::path p = dir / (id + channel_suffix(channel[m]) + ending);
      if (!fs::is_regular_file(p))
        throw Error(id + ": missing " + p.string() + " (channel " + std::to_string(channel[m]) +
                    ", " + kModalities[m] + ")");
      c.modality_paths[m] = p.string();
    }
    const fs::path label = root / labels / (id + ending);
    if (fs::is_regular_file(label)) {
      c.ot_path = label.string();
    } else if (split == Split::Training) {
      throw Error(id + ": missing label " + label.string());
    }
    dataset.cases.push_back(std::move(c));
  }
}

}  // namespace

bool is_nnunet_dataset(const std::string& root) {
  return fs::is_regular_file(fs::path(root) / "dataset.json") &&
         fs::is_directory(fs::path(root) / "imagesTr");
}

IslesDataset discover_nnunet(const std::string& root) {
  const std::string source = (fs::path(root) / "dataset.json").string();
  if (!fs::is_regular_file(source)) throw Error(source + ": not found (nnU-Net raw layout)");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_text(source));
  } catch (const nlohmann::json::exception& e) {
    throw Error(source + ": not valid JSON (" + e.what() + ")");
  }
  const std::array<int, 6> channel = modality_channels(j, source);
  const std::string ending = j.contains("file_ending") && j.at("file_ending").is_string()
                                 ? j.at("file_ending").get<std::string>()
                                 : ".nii.gz";
  if (ending != ".nii.gz" && ending != ".nii")
    throw Error(source + ": file_ending '" + ending + "' (lrpseg reads .nii and .nii.gz)");
  IslesDataset dataset{root, {}};
  add_cases(root, "imagesTr", "labelsTr", Split::Training, channel, ending, dataset);
  add_cases(root, "imagesTs", "labelsTs", Split::Test, channel, ending, dataset);
  if (dataset.cases.empty())
    throw Error(root + ": no cases in imagesTr/ or imagesTs/ (files <case>" +
                channel_suffix(channel[0]) + ending + ")");
  return dataset;
}

DatasetLayout parse_dataset_layout(const std::string& text) {
  if (text == "auto") return DatasetLayout::Auto;
  if (text == "isles2017") return DatasetLayout::Isles2017;
  if (text == "nnunet") return DatasetLayout::NnUnet;
  throw UsageError("--layout '" + text + "': expected auto, isles2017 or nnunet");
}

IslesDataset discover_dataset(const std::string& root, DatasetLayout layout) {
  if (layout == DatasetLayout::NnUnet ||
      (layout == DatasetLayout::Auto && is_nnunet_dataset(root))) {
    return discover_nnunet(root);
  }
  return discover_isles(root);
}

}  // namespace lrpseg
