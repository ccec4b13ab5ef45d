#pragma once
// Adam's per-parameter state under the parameter's name, in the network's own
// order: what optimizer.pt holds. torch::save(optimizer) orders the state by
// tensor addresses, so two identical trainings wrote different optimizer.pt bytes.
#include <map>
#include <string>

#include "model/torch_save.h"
#include "model/unet.h"

namespace lrpseg {

// "<param>/step" (int64 scalar), "<param>/exp_avg", "<param>/exp_avg_sq" (and
// "<param>/max_exp_avg_sq" with amsgrad) for every parameter Adam has stepped.
NamedTensors adam_state(UNet& net, const torch::optim::Adam& adam);

// Whether `stored` is in adam_state's layout (older checkpoints hold torch::save's).
bool is_adam_state(const std::map<std::string, torch::Tensor>& stored);

// Restores adam_state's tensors into `adam`, whose parameters are `net`'s; a
// missing or mis-shaped entry throws lrpseg::Error naming `source`.
void set_adam_state(UNet& net, torch::optim::Adam& adam,
                    const std::map<std::string, torch::Tensor>& stored, const std::string& source);

}  // namespace lrpseg
