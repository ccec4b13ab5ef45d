#include "model/import_weights.h"

#include <filesystem>
#include <map>

#include "io/isles.h"
#include "model/checkpoint.h"
#include "model/paper_code_names.h"
#include "model/safetensors.h"
#include "model/torch_load.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {

namespace fs = std::filesystem;

NamedTensors read_weights_file(const std::string& path) {
  if (!fs::is_regular_file(path)) throw Error(path + ": weights file not found");
  const std::string bytes = read_text(path);  // binary-safe
  if (fs::path(path).extension() == ".safetensors") return parse_safetensors(bytes, path);
  return read_torch_save(bytes, path);
}

TensorNames parse_tensor_names(const std::string& text) {
  if (text == "lrpseg") return TensorNames::Lrpseg;
  if (text == "paper-code") return TensorNames::PaperCode;
  throw UsageError("--names '" + text + "': expected lrpseg or paper-code");
}

void import_checkpoint(const ImportOptions& o) {
  if (o.out_dir.empty()) throw UsageError("--out: required");
  if (o.width <= 0) throw UsageError("--width: must be positive");
  if (fs::exists(fs::path(o.out_dir) / "model.json"))
    throw Error(o.out_dir + ": already holds a checkpoint (choose another --out)");
  const NamedTensors tensors = read_weights_file(o.weights);
  UNetOptions architecture;
  architecture.width = o.width;
  UNet net(architecture);
  std::map<std::string, torch::Tensor> expected;
  for (const auto& p : net->named_parameters()) expected[p.key()] = p.value();
  for (const auto& b : net->named_buffers()) expected[b.key()] = b.value();

  std::string missing, extra, shapes;
  auto add = [](std::string& list, const std::string& item) {
    list += (list.empty() ? "" : ", ") + item;
  };
  std::map<std::string, torch::Tensor> given;
  for (const auto& [file_name, tensor] : tensors) {
    // A paper-code name that maps nowhere is reported as it is in the file.
    std::string name = file_name;
    if (o.names == TensorNames::PaperCode) {
      name = lrpseg_name_from_paper_code(file_name).value_or(file_name);
    }
    given[name] = tensor;
    auto it = expected.find(name);
    if (it == expected.end()) {
      add(extra, name);
    } else if (tensor.sizes() != it->second.sizes()) {
      add(shapes, name + " " + c10::str(tensor.sizes()) + " (expected " +
                      c10::str(it->second.sizes()) + ")");
    }
  }
  for (const auto& [name, tensor] : expected) {
    if (given.count(name) == 0) add(missing, name);
  }
  if (!missing.empty() || !extra.empty() || !shapes.empty()) {
    std::string why;
    if (!missing.empty()) why += "missing " + missing;
    if (!extra.empty()) why += std::string(why.empty() ? "" : "; ") + "extra " + extra;
    if (!shapes.empty()) why += std::string(why.empty() ? "" : "; ") + "mis-shaped " + shapes;
    const std::string whose = o.names == TensorNames::PaperCode ? "paper-code" : "lrpseg";
    throw Error(o.weights + ": not a width-" + std::to_string(o.width) + " " + whose +
                " U-Net: " + why);
  }
  {
    torch::NoGradGuard no_grad;
    for (auto& [name, tensor] : expected) tensor.copy_(given.at(name));
  }
  CheckpointFiles files;
  files.info = {{"format", "lrpseg-checkpoint/1"},
                {"architecture", architecture_json(architecture)},
                {"preprocessing",
                 {{"scaling", "min-max per volume to [0,1]"},
                  {"size_dhw", o.size_dhw},
                  {"interpolation", to_string(o.interpolation)},
                  {"label_interpolation", "nearest"}}},
                {"modalities", std::vector<std::string>(kModalities.begin(), kModalities.end())},
                {"imported_from", fs::absolute(o.weights).string()},
                {"imported_names", o.names == TensorNames::PaperCode ? "paper-code" : "lrpseg"},
                {"epoch", 0}};
  save_checkpoint(o.out_dir, net, files);
}

}  // namespace lrpseg
