#include "model/adam_state.h"

#include "util/error.h"
#include "util/torch_compat.h"

namespace lrpseg {

NamedTensors adam_state(UNet& net, const torch::optim::Adam& adam) {
  NamedTensors out;
  for (const auto& item : net->named_parameters()) {
    const auto it = adam.state().find(optimizer_state_key(adam, item.value()));
    if (it == adam.state().end()) continue;  // not stepped yet
    const auto& s = static_cast<const torch::optim::AdamParamState&>(*it->second);
    out.emplace_back(item.key() + "/step", torch::tensor(s.step(), torch::kInt64));
    out.emplace_back(item.key() + "/exp_avg", s.exp_avg());
    out.emplace_back(item.key() + "/exp_avg_sq", s.exp_avg_sq());
    if (s.max_exp_avg_sq().defined())
      out.emplace_back(item.key() + "/max_exp_avg_sq", s.max_exp_avg_sq());
  }
  return out;
}

bool is_adam_state(const std::map<std::string, torch::Tensor>& stored) {
  for (const auto& [name, tensor] : stored)
    if (name.size() > 5 && name.compare(name.size() - 5, 5, "/step") == 0) return true;
  return stored.empty();
}

void set_adam_state(UNet& net, torch::optim::Adam& adam,
                    const std::map<std::string, torch::Tensor>& stored, const std::string& source) {
  torch::NoGradGuard no_grad;
  for (const auto& item : net->named_parameters()) {
    const auto step = stored.find(item.key() + "/step");
    if (step == stored.end()) continue;  // that parameter had not been stepped
    auto entry = [&](const std::string& part) {
      const auto it = stored.find(item.key() + "/" + part);
      if (it == stored.end())
        throw Error(source + ": '" + item.key() + "/" + part + "' is missing");
      if (it->second.sizes() != item.value().sizes())
        throw Error(source + ": '" + item.key() + "/" + part + "' has shape " +
                    c10::str(it->second.sizes()) + ", the parameter " +
                    c10::str(item.value().sizes()));
      return it->second.to(item.value().options()).clone();
    };
    auto state = std::make_unique<torch::optim::AdamParamState>();
    state->step(step->second.item<int64_t>());
    state->exp_avg(entry("exp_avg"));
    state->exp_avg_sq(entry("exp_avg_sq"));
    if (stored.count(item.key() + "/max_exp_avg_sq"))
      state->max_exp_avg_sq(entry("max_exp_avg_sq"));
    adam.state()[optimizer_state_key(adam, item.value())] = std::move(state);
  }
}

}  // namespace lrpseg
