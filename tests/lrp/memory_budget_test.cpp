// The memory model of the batched relevance pass against the bytes LibTorch's
// CPU allocator actually hands out, counted by a wrapping allocator.
#include "lrp/memory_budget.h"

#include <c10/core/CPUAllocator.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "error_of.h"
#include "lrp/filters.h"
#include "lrp/relevance.h"

namespace lrpseg {
namespace {

std::atomic<int64_t> g_current{0}, g_peak{0};

struct Block {
  c10::DataPtr inner;
  int64_t bytes;
};

void release(void* context) {
  auto* block = static_cast<Block*>(context);
  g_current -= block->bytes;
  delete block;
}

// Counts the bytes of live CPU tensors (and their peak) on top of the default allocator.
// LibTorch 1.x declares allocate() const, 2.x non-const with a pure copy_data(): both
// overloads are defined, and each version overrides the one it declares (so no
// `override`, which would fail on one of them).
struct CountingAllocator final : c10::Allocator {
  explicit CountingAllocator(c10::Allocator* base) : base(base) {}
  c10::DataPtr allocate(size_t n) const { return count(base->allocate(n), n); }
  c10::DataPtr allocate(size_t n) { return count(base->allocate(n), n); }
  void copy_data(void* dest, const void* src, std::size_t bytes) const {
    std::memcpy(dest, src, bytes);
  }
  c10::DeleterFnPtr raw_deleter() const { return nullptr; }
  c10::Allocator* base;

 private:
  static c10::DataPtr count(c10::DataPtr inner, size_t n) {
    auto* block = new Block{std::move(inner), static_cast<int64_t>(n)};
    const int64_t now = g_current += block->bytes;
    int64_t peak = g_peak.load();
    while (now > peak && !g_peak.compare_exchange_weak(peak, now)) {
    }
    void* data = block->inner.get();
    return {data, block, &release, c10::Device(c10::DeviceType::CPU)};
  }
};

// Peak bytes allocated during run() above what was live before it.
template <class Run>
int64_t peak_during(Run&& run) {
  const int64_t before = g_current.load();
  g_peak = before;
  run();
  return g_peak.load() - before;
}

TEST(MemoryBudget, PerFilterEstimateBoundsTheMeasuredGrowthOfTheRelevancePass) {
  torch::manual_seed(4);
  UNet net(UNetOptions{6, 2, 3});
  net->to(torch::kDouble);
  net->eval();
  const torch::Tensor x = torch::rand({1, 6, 9, 20, 20}, torch::kDouble);
  Trace trace;
  {
    torch::NoGradGuard no_grad;
    net->forward(x, &trace);
  }
  c10::Allocator* base = c10::GetCPUAllocator();
  CountingAllocator counting(base);
  c10::SetCPUAllocator(&counting, /*priority=*/100);
  LrpOptions options;
  const int64_t one = peak_during([&] {
    options.filters = {Filter::raw()};
    propagate(trace, options);
  });
  const int64_t five = peak_during([&] {
    options.filters = {Filter::raw(), Filter::pass(0, 0.2), Filter::clamp(0, 0.1),
                       Filter::pass(0.1, 1), Filter::clamp(0.05, 1)};
    propagate(trace, options);
  });
  c10::SetCPUAllocator(base, /*priority=*/101);
  const double measured = (five - one) / 4.0;
  const double estimate = static_cast<double>(relevance_bytes_per_sample(trace, 8));
  EXPECT_GT(measured, 0.0);
  EXPECT_LE(measured, estimate) << "the estimate must bound what a filter adds";
  EXPECT_GE(measured, 0.25 * estimate) << "and not waste most of the memory it reserves";
  // The record: every saved tensor of the trace, each storage once.
  int64_t saved = 0;
  for (const TraceStep& s : trace.steps)
    for (const torch::Tensor* t : {&s.input, &s.indices, &s.pooled, &s.companion})
      if (t->defined()) saved += static_cast<int64_t>(t->numel() * t->element_size());
  EXPECT_GT(recorded_bytes(trace), 0);
  EXPECT_LE(recorded_bytes(trace),
            saved + static_cast<int64_t>((trace.input.numel() + trace.output.numel()) * 8));
}

TEST(MemoryBudget, FilterBatchIsWhatFitsAndNotEvenOneIsAnError) {
  torch::manual_seed(5);
  UNet net(UNetOptions{6, 2, 2});
  net->eval();
  Trace trace;
  {
    torch::NoGradGuard no_grad;
    net->forward(torch::rand({1, 6, 4, 8, 8}), &trace);
  }
  const int64_t record = recorded_bytes(trace), per = relevance_bytes_per_sample(trace, 4);
  EXPECT_EQ(filter_batch_within(trace, 16, 4, record + 5 * per), 5);
  EXPECT_EQ(filter_batch_within(trace, 16, 4, record + 100 * per), 16);
  EXPECT_EQ(relevance_bytes_per_sample(trace, 8), 2 * per);
  const std::string e =
      test::error_of([&] { filter_batch_within(trace, 16, 4, record + per / 2); });
  EXPECT_NE(e.find("--max-memory"), std::string::npos) << e;
  EXPECT_GT(default_memory_budget(), 0);
}

TEST(MemoryBudget, LargeInputsGetSmallerBatchesEvenWhenMemoryIsPlenty) {
  // A one-convolution trace at paper-B size, shapes only: 64 channels, 19x96x96.
  Trace trace;
  trace.shapes = {{1, 64, 19, 96, 96}, {1, 64, 19, 96, 96}};
  TraceStep conv;
  conv.kind = LayerKind::Conv;
  conv.inputs = {0};
  conv.output = 1;
  trace.steps = {conv};
  trace.output_id = 1;
  const int64_t per = relevance_bytes_per_sample(trace, 4);
  // Arriving relevance plus three message-sized tensors.
  EXPECT_EQ(per, 4 * int64_t{64 * 19 * 96 * 96} * 4);
  const int64_t plenty = int64_t{1} << 40;
  EXPECT_EQ(filter_batch_within(trace, 16, 4, plenty), kFastPassBytes / per);
  EXPECT_LT(filter_batch_within(trace, 16, 4, plenty), 16);
  EXPECT_EQ(filter_batch_within(trace, 2, 4, plenty), 2);
}

}  // namespace
}  // namespace lrpseg
