#pragma once
// A checkpoint is a directory (DESIGN.md §2):
//   model.pt       weights, a dict name → tensor in torch.save's layout (model/torch_save.h;
//                  torch.load(..., weights_only=True) reads it)
//   model.safetensors  the same tensors in the safetensors format (model/safetensors.h)
//   model.json     architecture, preprocessing, modalities, training settings, epoch, metrics
//   optimizer.pt   Adam state for --resume
//   train_log.csv  one row per epoch
// Saves are transactions: files are staged in DIR/.staging, marked complete,
// then renamed into place, so a run killed at any moment leaves either the
// previous or the new checkpoint, never a mix.
#include <torch/torch.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "model/unet.h"

namespace lrpseg {

// model.pt: parameters and buffers under their PyTorch state_dict names.
void save_weights(const std::string& path, UNet& net);
// model.safetensors: the same, metadata {"format": "pt"}.
void save_safetensors(const std::string& path, UNet& net);
// Loads model.pt (either pickle layout) or a .safetensors file into `net`;
// every tensor must be present with the net's shape, and no other.
void load_weights(const std::string& path, UNet& net);

// Architecture part of model.json.
nlohmann::json architecture_json(const UNetOptions& options);
UNetOptions architecture_from_json(const nlohmann::json& architecture, const std::string& source);

struct CheckpointFiles {
  nlohmann::json info;                            // model.json
  torch::optim::Adam* optimizer = nullptr;        // optimizer.pt when given
  std::map<std::string, std::string> text_files;  // e.g. train_log.csv
};
void save_checkpoint(const std::string& dir, UNet& net, const CheckpointFiles& files);

// Completes a save that was interrupted after it was marked complete, or
// discards one that was not. Safe to call on any directory.
void recover_checkpoint(const std::string& dir);

// Reads and parses DIR/model.json (after recovering an interrupted save).
nlohmann::json read_model_info(const std::string& dir);

struct LoadedModel {
  UNet net{nullptr};
  nlohmann::json info;
};
// Loads DIR/model.json and DIR/model.pt. With expected_width, a checkpoint of
// another width is an error naming the directory and both widths.
LoadedModel load_checkpoint(const std::string& dir, std::optional<int64_t> expected_width = {});

// Restores DIR/optimizer.pt into `optimizer`, whose parameters are `net`'s.
void load_optimizer(const std::string& dir, UNet& net, torch::optim::Adam& optimizer);

}  // namespace lrpseg
