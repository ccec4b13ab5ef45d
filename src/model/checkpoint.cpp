#include "model/checkpoint.h"

#include <filesystem>
#include <fstream>

#include "model/adam_state.h"
#include "model/safetensors.h"
#include "model/torch_load.h"
#include "model/torch_save.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kStaging = ".staging";
constexpr const char* kComplete = "COMPLETE";

std::map<std::string, torch::Tensor> state_dict(UNet& net) {
  std::map<std::string, torch::Tensor> state;
  for (const auto& p : net->named_parameters()) state[p.key()] = p.value();
  for (const auto& b : net->named_buffers()) state[b.key()] = b.value();
  return state;
}

void write_bytes(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw Error(path + ": cannot write file");
}

// Moves every staged file into dir, model.json last, then drops the staging folder.
void commit_staging(const fs::path& dir) {
  fs::path staging = dir / kStaging;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(staging)) {
    auto name = entry.path().filename().string();
    if (name != kComplete && name != "model.json") files.push_back(entry.path());
  }
  if (fs::exists(staging / "model.json")) files.push_back(staging / "model.json");
  for (const auto& f : files) fs::rename(f, dir / f.filename());
  sync_folder(dir.string());  // the renames are durable before the staging folder goes
  fs::remove_all(staging);
}

}  // namespace

namespace {

NamedTensors named_state(UNet& net) {
  NamedTensors named;
  for (const auto& [name, tensor] : state_dict(net)) named.emplace_back(name, tensor);
  return named;
}

void write_string(const std::string& path, const std::string& bytes) {
  write_atomically(path, [&](const std::string& tmp) {
    write_bytes(tmp, std::vector<char>(bytes.begin(), bytes.end()));
  });
}

// name → tensor from model.pt (a pickled dict: torch.save's layout, or the
// TorchScript pickle of checkpoints written before) or model.safetensors.
std::map<std::string, torch::Tensor> read_named_tensors(const std::string& path) {
  if (!fs::is_regular_file(path)) throw Error(path + ": weights file not found");
  const std::string bytes = read_text(path);  // binary-safe
  std::map<std::string, torch::Tensor> out;
  if (fs::path(path).extension() == ".safetensors") {
    for (auto& [name, tensor] : parse_safetensors(bytes, path)) out[name] = tensor;
    return out;
  }
  // Our own reader, for both layouts (torch.save's, and the TorchScript pickle that
  // checkpoints were written in before): LibTorch's unpickler allocates whatever length a
  // corrupt file claims (a fuzzed model.pt asked for 30 GB).
  for (auto& [name, tensor] : read_torch_save(bytes, path)) out[name] = tensor;
  return out;
}

}  // namespace

void save_weights(const std::string& path, UNet& net) {
  write_string(path, torch_save_bytes(named_state(net)));
}

void save_safetensors(const std::string& path, UNet& net) {
  write_string(path, safetensors_bytes(named_state(net), {{"format", "pt"}}));
}

namespace {

// Copies `stored` (read from `path`) into the net: every tensor present with the
// net's shape, and no other.
void assign_weights(const std::map<std::string, torch::Tensor>& stored, const std::string& path,
                    UNet& net) {
  torch::NoGradGuard no_grad;
  const auto state = state_dict(net);
  for (const auto& [name, tensor] : state) {
    auto it = stored.find(name);
    if (it == stored.end()) throw Error(path + ": tensor '" + name + "' is missing");
    if (it->second.sizes() != tensor.sizes()) {
      throw Error(path + ": tensor '" + name + "' has shape " + c10::str(it->second.sizes()) +
                  ", the model expects " + c10::str(tensor.sizes()) + " (architecture mismatch)");
    }
    tensor.copy_(it->second);
  }
  for (const auto& [name, tensor] : stored) {
    if (state.count(name) == 0)
      throw Error(path + ": holds tensor '" + name + "', which the model does not have");
  }
}

// The architecture the weights themselves imply, checked against model.json
// before a network of its size is built: an edited or corrupt width must not
// allocate gigabytes, and the message should say which file disagrees.
void check_architecture_of_weights(const UNetOptions& options,
                                   const std::map<std::string, torch::Tensor>& stored,
                                   const std::string& json_path, const std::string& weights_path) {
  const auto first = stored.find("b1.conv1.weight"), head = stored.find("head_conv.weight");
  if (first == stored.end() || head == stored.end() || first->second.dim() < 2 ||
      head->second.dim() < 2)
    return;  // assign_weights names the missing or mis-shaped tensor
  const int64_t in_channels = first->second.size(1), width = first->second.size(0),
                classes = head->second.size(0);
  if (in_channels == options.in_channels && width == options.width && classes == options.classes)
    return;
  auto describe = [](int64_t i, int64_t c, int64_t w) {
    return "in_channels " + std::to_string(i) + ", classes " + std::to_string(c) + ", width " +
           std::to_string(w);
  };
  throw Error(json_path + " describes a network with " +
              describe(options.in_channels, options.classes, options.width) + " but " +
              weights_path + " holds one with " + describe(in_channels, classes, width));
}

}  // namespace

void load_weights(const std::string& path, UNet& net) {
  assign_weights(read_named_tensors(path), path, net);
}

json architecture_json(const UNetOptions& options) {
  UNet net(options);
  return {{"name", "unet3d-tjoa"},
          {"in_channels", options.in_channels},
          {"classes", options.classes},
          {"width", options.width},
          {"parameters", net->parameter_count()}};
}

UNetOptions architecture_from_json(const json& a, const std::string& source) {
  try {
    UNetOptions options;
    options.in_channels = a.at("in_channels").get<int64_t>();
    options.classes = a.at("classes").get<int64_t>();
    options.width = a.at("width").get<int64_t>();
    if (options.in_channels <= 0 || options.classes <= 0 || options.width <= 0) {
      throw Error(source + ": architecture sizes must be positive");
    }
    return options;
  } catch (const json::exception& e) {
    throw Error(source + ": invalid architecture (" + e.what() + ")");
  }
}

void save_checkpoint(const std::string& dir_text, UNet& net, const CheckpointFiles& files) {
  fs::path dir(dir_text);
  fs::create_directories(dir);
  fs::path staging = dir / kStaging;
  fs::remove_all(staging);
  fs::create_directories(staging);
  save_weights((staging / "model.pt").string(), net);
  save_safetensors((staging / "model.safetensors").string(), net);
  if (files.optimizer)
    write_string((staging / "optimizer.pt").string(),
                 torch_save_bytes(adam_state(net, *files.optimizer)));
  for (const auto& [name, text] : files.text_files) {
    write_text_atomically((staging / name).string(), text);
  }
  write_text_atomically((staging / "model.json").string(), files.info.dump(2) + "\n");
  // The marker makes the staged set the committed one: from here, recovery rolls forward.
  write_text_atomically((staging / kComplete).string(), "");
  commit_staging(dir);
}

void recover_checkpoint(const std::string& dir_text) {
  fs::path staging = fs::path(dir_text) / kStaging;
  if (!fs::is_directory(staging)) return;
  if (fs::exists(staging / kComplete)) {
    commit_staging(dir_text);
  } else {
    fs::remove_all(staging);
  }
}

json read_model_info(const std::string& dir) {
  if (!fs::is_directory(dir)) throw Error(dir + ": model directory not found");
  recover_checkpoint(dir);
  std::string json_path = (fs::path(dir) / "model.json").string();
  if (!fs::is_regular_file(json_path)) throw Error(json_path + ": not found (not a checkpoint?)");
  try {
    return json::parse(read_text(json_path));
  } catch (const json::exception& e) {
    throw Error(json_path + ": invalid JSON (" + e.what() + ")");
  }
}

LoadedModel load_checkpoint(const std::string& dir, std::optional<int64_t> expected_width) {
  std::string json_path = (fs::path(dir) / "model.json").string();
  LoadedModel loaded;
  loaded.info = read_model_info(dir);
  if (!loaded.info.contains("architecture")) throw Error(json_path + ": no 'architecture'");
  UNetOptions options = architecture_from_json(loaded.info["architecture"], json_path);
  if (expected_width && *expected_width != options.width) {
    throw Error(dir + ": checkpoint has width " + std::to_string(options.width) + ", but width " +
                std::to_string(*expected_width) + " was requested");
  }
  const std::string weights_path = (fs::path(dir) / "model.pt").string();
  const auto stored = read_named_tensors(weights_path);
  check_architecture_of_weights(options, stored, json_path, weights_path);
  loaded.net = UNet(options);
  assign_weights(stored, weights_path, loaded.net);
  return loaded;
}

void load_optimizer(const std::string& dir, UNet& net, torch::optim::Adam& optimizer) {
  std::string path = (fs::path(dir) / "optimizer.pt").string();
  if (!fs::is_regular_file(path)) throw Error(path + ": optimizer state not found, cannot resume");
  try {
    const auto stored = read_named_tensors(path);
    if (is_adam_state(stored)) return set_adam_state(net, optimizer, stored, path);
  } catch (const Error&) {
    // not a dict of tensors: torch::save's archive of an older checkpoint
  }
  try {
    torch::load(optimizer, path);
  } catch (const c10::Error& e) {
    throw Error(path + ": cannot read optimizer state (" + e.what_without_backtrace() + ")");
  }
}

}  // namespace lrpseg
