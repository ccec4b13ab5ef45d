#include "distributed/process_group.h"

// Gloo's part of c10d is compiled only with this macro (as PyTorch builds it);
// LibTorch's CMake config usually passes it already.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <cstdlib>
#include <cstring>
#include <thread>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "util/error.h"
#include "util/text.h"
#include "util/torch_compat.h"

namespace lrpseg {
namespace {

// An integer environment variable in [low, high], or `fallback` when unset.
int integer_variable(const char* name, int low, int high, int fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (*end != '\0' || value < low || value > high) {
    throw Error(std::string("environment variable ") + name + "='" + text +
                "': expected a whole number from " + std::to_string(low) + " to " +
                std::to_string(high));
  }
  return static_cast<int>(value);
}

bool is_loopback(const std::string& address) {
  return address == "localhost" || address.rfind("127.", 0) == 0 || address == "::1";
}

}  // namespace

RankEnvironment rank_environment() {
  RankEnvironment env;
  env.world_size = integer_variable("WORLD_SIZE", 1, 65536, 1);
  if (!env.distributed()) return env;
  if (std::getenv("RANK") == nullptr)
    throw Error("environment variable WORLD_SIZE is set but RANK is not");
  env.rank = integer_variable("RANK", 0, env.world_size - 1, 0);
  env.local_world_size = integer_variable("LOCAL_WORLD_SIZE", 1, env.world_size, 1);
  env.local_rank = integer_variable("LOCAL_RANK", 0, env.local_world_size - 1, 0);
  const char* address = std::getenv("MASTER_ADDR");
  if (address == nullptr || *address == '\0')
    throw Error("environment variable MASTER_ADDR must name rank 0's host in a distributed job");
  env.master_address = address;
  if (std::getenv("MASTER_PORT") == nullptr)
    throw Error("environment variable MASTER_PORT must be set in a distributed job");
  env.master_port = integer_variable("MASTER_PORT", 1, 65535, 0);
  return env;
}

int default_threads_per_rank(const RankEnvironment& env) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::max(1, cores / std::max(1, env.local_world_size));
}

struct ProcessGroup::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
  int rank = 0, size = 1;

  // Runs one collective; c10d's and Gloo's exceptions become an Error naming the rank.
  template <typename Start>
  void run(const char* what, Start start) {
    try {
      auto work = start();
      work->wait();
    } catch (const c10::Error& e) {
      throw Error("rank " + std::to_string(rank) + " of " + std::to_string(size) + ": " + what +
                  " failed (another rank stopped or did not answer): " +
                  first_line(e.what_without_backtrace()));
    } catch (const std::exception& e) {
      throw Error("rank " + std::to_string(rank) + " of " + std::to_string(size) + ": " + what +
                  " failed (another rank stopped or did not answer): " + first_line(e.what()));
    }
  }
};

ProcessGroup::ProcessGroup(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ProcessGroup::~ProcessGroup() = default;

std::unique_ptr<ProcessGroup> ProcessGroup::join(const RankEnvironment& env,
                                                 std::chrono::seconds timeout) {
  auto impl = std::make_unique<Impl>();
  impl->rank = env.rank;
  impl->size = env.world_size;
  const std::string where = "rank " + std::to_string(env.rank) + " of " +
                            std::to_string(env.world_size) + ": rendezvous at " +
                            env.master_address + ":" + std::to_string(env.master_port);
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<std::uint16_t>(env.master_port);
    // torchrun's agent may serve the store itself (and says so); otherwise rank 0 does.
    const char* agent_store = std::getenv("TORCHELASTIC_USE_AGENT_STORE");
    const bool agent_serves = agent_store != nullptr && std::string(agent_store) == "True";
    store_options.isServer = env.rank == 0 && !agent_serves;
    store_options.numWorkers = static_cast<std::size_t>(env.world_size);
    store_options.waitWorkers = true;
    store_options.timeout = timeout;
    try {
      impl->store = c10::make_intrusive<c10d::TCPStore>(env.master_address, store_options);
    } catch (const c10::Error& e) {
      // A LibTorch 2.x built without libuv refuses its own default: the classic server.
      const bool libuv_refused = std::strstr(e.what(), "libuv") != nullptr;
      if (!libuv_refused || !disable_libuv_store(store_options)) throw;
      impl->store = c10::make_intrusive<c10d::TCPStore>(env.master_address, store_options);
    }
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    // The interface that reaches the others: loopback for one machine, GLOO_SOCKET_IFNAME when
    // given (as in PyTorch), else the one this host's name resolves to.
    const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
    if (interface != nullptr && *interface != '\0') {
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
    } else if (is_loopback(env.master_address)) {
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    } else {
      options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    }
    options->threads = 2;
    impl->group =
        c10::make_intrusive<c10d::ProcessGroupGloo>(impl->store, env.rank, env.world_size, options);
  } catch (const c10::Error& e) {
    throw Error(where + " failed: " + first_line(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    throw Error(where + " failed: " + first_line(e.what()));
  }
  return std::unique_ptr<ProcessGroup>(new ProcessGroup(std::move(impl)));
}

int ProcessGroup::rank() const { return impl_->rank; }
int ProcessGroup::size() const { return impl_->size; }

void ProcessGroup::all_reduce_sum(const std::vector<torch::Tensor>& tensors, int64_t bucket_bytes) {
  size_t first = 0;
  while (first < tensors.size()) {
    // The next bucket: tensors of one dtype and device up to bucket_bytes (at least one).
    size_t last = first;
    int64_t bytes = 0;
    const auto dtype = tensors[first].scalar_type();
    const auto device = tensors[first].device();
    while (
        last < tensors.size() && tensors[last].scalar_type() == dtype &&
        tensors[last].device() == device &&
        (last == first ||
         bytes + tensors[last].numel() * int64_t(tensors[last].element_size()) <= bucket_bytes)) {
      bytes += tensors[last].numel() * int64_t(tensors[last].element_size());
      ++last;
    }
    std::vector<torch::Tensor> parts;
    for (size_t i = first; i < last; ++i) parts.push_back(tensors[i].reshape({-1}));
    // Gloo reduces host memory: a bucket of CUDA tensors goes through the CPU.
    std::vector<torch::Tensor> bucket{torch::cat(parts).cpu()};
    impl_->run("all-reduce", [&] { return impl_->group->allreduce(bucket); });
    int64_t offset = 0;
    for (size_t i = first; i < last; ++i) {
      const int64_t n = tensors[i].numel();
      tensors[i].copy_(bucket[0].narrow(0, offset, n).view_as(tensors[i]));
      offset += n;
    }
    first = last;
  }
}

std::vector<torch::Tensor> ProcessGroup::all_gather(const torch::Tensor& t) {
  std::vector<torch::Tensor> input{t.contiguous().cpu()};  // Gloo: host memory
  std::vector<std::vector<torch::Tensor>> output(1);
  for (int r = 0; r < impl_->size; ++r) output[0].push_back(torch::empty_like(input[0]));
  impl_->run("all-gather", [&] { return impl_->group->allgather(output, input); });
  for (torch::Tensor& o : output[0]) o = o.to(t.device());
  return output[0];
}

std::vector<std::string> ProcessGroup::all_gather_text(const std::string& text) {
  const auto sizes = all_gather(torch::full({1}, static_cast<int64_t>(text.size()), torch::kLong));
  int64_t longest = 0;
  for (const auto& s : sizes) longest = std::max(longest, s.item<int64_t>());
  torch::Tensor bytes = torch::zeros({std::max<int64_t>(longest, 1)}, torch::kUInt8);
  if (!text.empty()) std::memcpy(bytes.data_ptr<uint8_t>(), text.data(), text.size());
  const auto gathered = all_gather(bytes);
  std::vector<std::string> texts;
  for (size_t r = 0; r < gathered.size(); ++r) {
    const auto* data = reinterpret_cast<const char*>(gathered[r].data_ptr<uint8_t>());
    texts.emplace_back(data, static_cast<size_t>(sizes[r].item<int64_t>()));
  }
  return texts;
}

void gather_owned_items(std::vector<nlohmann::json>& items, ProcessGroup* group) {
  if (group == nullptr) return;
  nlohmann::json mine = nlohmann::json::object();
  for (size_t i = 0; i < items.size(); ++i)
    if (owns_item(group, i)) mine[std::to_string(i)] = items[i];
  for (const std::string& text : group->all_gather_text(mine.dump())) {
    const nlohmann::json theirs = nlohmann::json::parse(text);  // items() must not outlive it
    for (const auto& [key, value] : theirs.items()) items.at(std::stoul(key)) = value;
  }
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].is_null())
      throw Error("rank " + std::to_string(group->rank()) + ": no rank computed item " +
                  std::to_string(i));
  }
}

void ProcessGroup::broadcast(const std::vector<torch::Tensor>& tensors) {
  for (const auto& t : tensors) {
    const bool in_place = t.is_contiguous() && t.is_cpu();  // Gloo: host memory
    std::vector<torch::Tensor> one{in_place ? t : t.contiguous().cpu()};
    impl_->run("broadcast", [&] { return impl_->group->broadcast(one); });
    if (!in_place) t.copy_(one[0]);
  }
}

void ProcessGroup::barrier() {
  impl_->run("barrier", [&] { return impl_->group->barrier(); });
}

}  // namespace lrpseg
