#include "lrp/relevance.h"

#include <limits>
#include <set>

#include "lrp/canonizer.h"
#include "lrp/memory_budget.h"
#include "util/error.h"

namespace lrpseg {

namespace {

torch::Tensor per_sample_sum(const torch::Tensor& r) {
  return r.sum(std::vector<int64_t>{1, 2, 3, 4}, false, torch::kDouble);
}

torch::Tensor sum_of(const std::vector<torch::Tensor>& tensors) {
  torch::Tensor total;
  for (const auto& t : tensors)
    total = total.defined() ? total + per_sample_sum(t) : per_sample_sum(t);
  return total;
}

// Which filter applies where, checked against the trace once.
class Schedule {
 public:
  Schedule(const Trace& trace, const LrpOptions& options) : filters_(options.filters) {
    std::set<std::string> known{"output"};
    for (const TraceStep& s : trace.steps) {
      known.insert(s.name);
      if (s.kind == LayerKind::Concat) {
        known.insert(s.name + ".skip");
        known.insert(s.name + ".up");
      }
    }
    for (const std::string& place : options.filter_places) {
      if (!known.count(place)) throw Error("lrp: unknown filter place '" + place + "'");
      places_.insert(place);
    }
  }

  void apply(const std::string& place, torch::Tensor& r) const {
    if (places_.count(place)) apply_filters_(r, filters_);
  }

 private:
  std::vector<Filter> filters_;
  std::set<std::string> places_;
};

// The messages of one step for each of its inputs.
std::vector<torch::Tensor> step_relevance(const Trace& trace, int index, const Composite& composite,
                                          const LrpOptions& options, torch::Tensor r,
                                          DenominatorHealth* health) {
  const TraceStep& step = trace.steps[index];
  switch (step.kind) {
    case LayerKind::Conv:
    case LayerKind::ConvTranspose: {
      const ConvRule& rule = composite.rule_for(step);
      ConvLayer layer = conv_layer(trace, index, options.fold_bn);
      // Z's activation term from the forward call, if it computed the one this rule needs.
      if (!options.fold_bn && step.companion.defined() &&
          step.companion_tag == companion_tag(rule)) {
        layer.activation_z = step.companion;
      }
      return {conv_relevance_(layer, rule, std::move(r), health)};
    }
    case LayerKind::MaxPool:
      return {winner_takes_all_relevance(step.input, step.pooled, step.indices, r,
                                         composite.pool_epsilon)};
    case LayerKind::Crop:
      return {crop_relevance(r, step.crop_from_dhw, step.crop_offset_dhw)};
    case LayerKind::Concat: {
      // The skip piece waits for the encoder's fork while the upsampled piece is
      // consumed at once: copied out, it no longer pins the whole concat relevance.
      std::vector<torch::Tensor> pieces = cleave_relevance(r, step.split_channels);
      pieces[0] = pieces[0].clone();
      return pieces;
    }
    case LayerKind::BatchNorm:
    case LayerKind::LeakyReLU:
    case LayerKind::ReLU:
      return {r};  // pass-through (paper; BN folding, if any, happened in the conv)
  }
  throw Error("lrp: unsupported layer " + step.name);
}

// Combines the messages a forked tensor received. Paper merge: the message from
// the concatenation (skip) is weighted f, the other (pool) 1 − f.
torch::Tensor merge(const Trace& trace, const std::vector<torch::Tensor>& messages,
                    const std::vector<int>& readers, const LrpOptions& options) {
  if (messages.size() == 1) return messages[0];
  const bool paper = options.merge == Merge::Paper && messages.size() == 2;
  torch::Tensor merged;
  for (size_t i = 0; i < messages.size(); ++i) {
    double weight = 1.0;
    if (paper) {
      const bool skip = trace.steps[readers[i]].kind == LayerKind::Concat;
      weight = skip ? options.merge_skip_fraction : 1.0 - options.merge_skip_fraction;
    }
    if (!merged.defined()) {
      merged = messages[i] * weight;
    } else {
      merged.add_(messages[i], weight);
    }
  }
  return merged;
}

// Joins explanations of consecutive filter batches into one of K samples.
Explanation concatenate(const std::vector<Explanation>& parts) {
  Explanation all;
  std::vector<torch::Tensor> relevance, sum_output, sum_input, max_abs;
  for (const Explanation& p : parts) {
    relevance.push_back(p.relevance);
    sum_output.push_back(p.sum_output);
    sum_input.push_back(p.sum_input);
    max_abs.push_back(p.max_abs_per_channel);
    all.filters.insert(all.filters.end(), p.filters.begin(), p.filters.end());
  }
  all.relevance = torch::cat(relevance);
  all.sum_output = torch::cat(sum_output);
  all.sum_input = torch::cat(sum_input);
  all.max_abs_per_channel = torch::cat(max_abs);
  all.stages = parts.front().stages;
  all.health = parts.front().health;
  for (size_t s = 0; s < all.stages.size(); ++s) {
    std::vector<torch::Tensor> arriving, leaving;
    for (const Explanation& p : parts) {
      arriving.push_back(p.stages[s].arriving);
      leaving.push_back(p.stages[s].leaving);
    }
    all.stages[s].arriving = torch::cat(arriving);
    all.stages[s].leaving = torch::cat(leaving);
  }
  return all;
}

}  // namespace

torch::Tensor start_relevance(const torch::Tensor& y, Target target) {
  if (target == Target::All) return y;
  const int64_t lesion = y.size(1) - 1;
  torch::Tensor r = torch::zeros_like(y);
  torch::Tensor lesion_r = y.narrow(1, lesion, 1);
  if (target == Target::LesionMask) {
    lesion_r = lesion_r * y.argmax(1, /*keepdim=*/true).eq(lesion).to(y.scalar_type());
  }
  r.narrow(1, lesion, 1).copy_(lesion_r);
  return r;
}

namespace {

// The walk; with `release` (the same trace, owned by the caller and no longer
// needed), each step's saved tensors are dropped once the step is done, so the
// recorded forward shrinks while the relevance pass runs.
Explanation walk(const Trace& trace, const LrpOptions& options, int tensor_id,
                 const torch::Tensor& start, Trace* release);

}  // namespace

Explanation explain(UNet& net, const torch::Tensor& x, const LrpOptions& options) {
  if (x.dim() != 5 || x.size(0) != 1) {
    throw Error("lrp: explain takes one sample (1, C, D, H, W)");
  }
  torch::NoGradGuard no_grad;
  const bool was_training = net->is_training();
  UNet run = with_dtype(net, dtype_of(options.precision));
  run->eval();
  Trace trace;
  if (options.fuse_forward && !options.fold_bn) {
    // Z's activation term of a convolution in the forward's own call (weights
    // stacked as extra output channels) instead of a second convolution later.
    trace.companion = [composite = Composite(options)](LayerKind kind, int input_id,
                                                       const torch::Tensor&,
                                                       const torch::Tensor& weight) {
      if (kind != LayerKind::Conv) return CompanionRequest{};
      const ConvRule& rule = composite.rule_for(kind, input_id);
      return CompanionRequest{companion_weight(rule, weight), companion_tag(rule)};
    };
  }
  run->forward(x.to(device_of(run), dtype_of(options.precision)), &trace);
  if (was_training) net->train();
  const torch::Tensor output = trace.output;
  torch::Tensor r0 = start_relevance(trace.output, options.target);
  trace.output = torch::Tensor();
  const size_t k = options.filters.size();
  const int64_t budget = options.max_memory_bytes > 0 ? options.max_memory_bytes
                         : device_of(run).is_cpu()    ? default_memory_budget()
                                                      : std::numeric_limits<int64_t>::max();
  const int64_t element_size = options.precision == Precision::Double ? 8 : 4;
  size_t chunk = filter_batch_within(trace, static_cast<int64_t>(k), element_size, budget);
  if (options.max_batch > 0) chunk = std::min(chunk, static_cast<size_t>(options.max_batch));
  if (chunk >= k) {
    Explanation e = walk(trace, options, trace.output_id, r0, &trace);
    e.output = output;
    e.filter_batch = static_cast<int64_t>(k);
    return e;
  }

  std::vector<Explanation> parts;
  for (size_t first = 0; first < k; first += chunk) {
    LrpOptions part = options;
    part.filters.assign(options.filters.begin() + first,
                        options.filters.begin() + std::min(k, first + chunk));
    const bool last = first + chunk >= k;
    parts.push_back(walk(trace, part, trace.output_id, r0, last ? &trace : nullptr));
  }
  Explanation e = concatenate(parts);
  e.output = output;
  e.filter_batch = static_cast<int64_t>(chunk);
  return e;
}

Explanation on_cpu(Explanation e) {
  auto cpu = [](torch::Tensor& t) {
    if (t.defined()) t = t.cpu();
  };
  cpu(e.relevance);
  cpu(e.sum_output);
  cpu(e.sum_input);
  cpu(e.max_abs_per_channel);
  cpu(e.output);
  for (StageSum& s : e.stages) {
    cpu(s.arriving);
    cpu(s.leaving);
  }
  return e;
}

Explanation propagate(const Trace& trace, const LrpOptions& options) {
  return walk(trace, options, trace.output_id, start_relevance(trace.output, options.target),
              nullptr);
}

Explanation propagate_from(const Trace& trace, const LrpOptions& options, int tensor_id,
                           const torch::Tensor& start) {
  return walk(trace, options, tensor_id, start, nullptr);
}

namespace {

Explanation walk(const Trace& trace, const LrpOptions& options, int tensor_id,
                 const torch::Tensor& start, Trace* release) {
  torch::NoGradGuard no_grad;
  const int64_t k = static_cast<int64_t>(options.filters.size());
  if (k == 0) throw Error("lrp: no filter setting given");
  if (tensor_id < 0 || tensor_id >= static_cast<int>(trace.shapes.size())) {
    throw Error("lrp: the trace has no tensor " + std::to_string(tensor_id));
  }
  const Composite composite(options);
  const Schedule schedule(trace, options);
  const int steps = static_cast<int>(trace.steps.size());

  // Only steps upstream of the start take part; a fork counts the messages of
  // those readers only.
  std::vector<bool> active_tensor(trace.shapes.size(), false);
  std::vector<bool> active_step(steps, false);
  std::vector<std::vector<int>> readers(trace.shapes.size());
  active_tensor[tensor_id] = true;
  for (int s = steps - 1; s >= 0; --s) {
    if (!active_tensor[trace.steps[s].output]) continue;
    active_step[s] = true;
    for (int in : trace.steps[s].inputs) {
      active_tensor[in] = true;
      readers[in].push_back(s);
    }
  }

  Explanation result;
  for (const Filter& f : options.filters) result.filters.push_back(to_string(f));

  torch::Tensor r0 = start.size(0) == k ? start.clone() : start.repeat({k, 1, 1, 1, 1});
  r0 = r0.contiguous();
  result.sum_output = per_sample_sum(r0);
  schedule.apply("output", r0);

  std::vector<torch::Tensor> relevance(trace.shapes.size());
  std::vector<std::vector<torch::Tensor>> pending(trace.shapes.size());
  relevance[tensor_id] = r0;

  auto deliver = [&](int id, torch::Tensor message) {
    pending[id].push_back(std::move(message));
    if (pending[id].size() < readers[id].size()) return;
    // Messages arrive in reverse forward order; readers[id] is in that order too.
    relevance[id] = merge(trace, pending[id], readers[id], options);
    if (options.record_stages && pending[id].size() > 1) {
      const int producer = [&] {
        for (int s = 0; s < steps; ++s) {
          if (trace.steps[s].output == id) return s;
        }
        return -1;
      }();
      result.stages.push_back({"fork:" + (producer >= 0 ? trace.steps[producer].name : "input"),
                               sum_of(pending[id]), per_sample_sum(relevance[id])});
    }
    pending[id].clear();
  };

  for (int s = steps - 1; s >= 0; --s) {
    if (!active_step[s]) continue;
    const TraceStep& step = trace.steps[s];
    torch::Tensor r = std::move(relevance[step.output]);
    relevance[step.output] = torch::Tensor();  // released as soon as it is consumed
    const torch::Tensor arriving = options.record_stages ? per_sample_sum(r) : torch::Tensor();
    DenominatorHealth health;
    std::vector<torch::Tensor> messages = step_relevance(trace, s, composite, options, std::move(r),
                                                         options.record_health ? &health : nullptr);
    if (options.record_health && health.total > 0) {
      result.health.push_back({step.name, health.fraction()});
    }
    if (options.record_stages) result.stages.push_back({step.name, arriving, sum_of(messages)});
    if (release) {
      TraceStep& done = release->steps[s];
      done.input = done.companion = done.indices = done.pooled = torch::Tensor();
    }
    if (step.kind == LayerKind::Concat) {
      schedule.apply(step.name + ".skip", messages[0]);
      schedule.apply(step.name + ".up", messages[1]);
    } else {
      schedule.apply(step.name, messages[0]);
    }
    for (size_t i = 0; i < messages.size(); ++i) deliver(step.inputs[i], std::move(messages[i]));
  }

  result.relevance = relevance[0].defined() ? relevance[0] : relevance[tensor_id];
  result.relevance = result.relevance.contiguous();
  result.sum_input = per_sample_sum(result.relevance);
  result.max_abs_per_channel = result.relevance.abs().amax({2, 3, 4});
  return result;
}

}  // namespace

}  // namespace lrpseg
