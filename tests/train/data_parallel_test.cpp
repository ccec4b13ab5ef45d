#include "train/data_parallel.h"

#include <gtest/gtest.h>

#include "util/error.h"

namespace lrpseg {
namespace {

TEST(DataParallel, StepsAreSplitIntoConsecutiveSharesInRankOrder) {
  // 7 samples, global batch 4 over 2 ranks: steps {0..3}, {4..6}; the last is short.
  auto s = share_of_step(7, 4, 0, 1, 2);
  EXPECT_EQ(s.first, 2u);
  EXPECT_EQ(s.last, 4u);
  EXPECT_EQ(s.step_samples, 4u);
  EXPECT_EQ(s.samples_per_rank, (std::vector<int64_t>{2, 2}));
  s = share_of_step(7, 4, 1, 0, 2);
  EXPECT_EQ(s.first, 4u);
  EXPECT_EQ(s.last, 6u);
  s = share_of_step(7, 4, 1, 1, 2);
  EXPECT_EQ(s.first, 6u);
  EXPECT_EQ(s.last, 7u);
  EXPECT_EQ(s.step_samples, 3u);
  EXPECT_EQ(s.samples_per_rank, (std::vector<int64_t>{2, 1}));
  // 3 samples over 4 ranks, batch 4: the last rank has none.
  s = share_of_step(3, 4, 0, 3, 4);
  EXPECT_EQ(s.first, s.last);
  EXPECT_EQ(s.samples_per_rank, (std::vector<int64_t>{1, 1, 1, 0}));
  // Together the ranks cover every sample once.
  for (size_t batch : {2u, 4u, 6u}) {
    std::vector<int> seen(11, 0);
    for (size_t step = 0; step * batch < 11; ++step)
      for (int r = 0; r < 2; ++r) {
        auto share = share_of_step(11, batch, step, r, 2);
        for (size_t i = share.first; i < share.last; ++i) ++seen[i];
      }
    EXPECT_EQ(seen, std::vector<int>(11, 1)) << batch;
  }
  EXPECT_THROW(share_of_step(7, 3, 0, 0, 2), Error);
}

// Three samples through one BatchNorm in training mode one after another, against the same
// samples split as ranks (2 + 1), each rank starting from the same statistics.
TEST(DataParallel, ComposedRunningStatisticsEqualOneProcesssSequence) {
  torch::manual_seed(1);
  std::vector<torch::Tensor> samples;
  for (int i = 0; i < 3; ++i) samples.push_back(torch::randn({1, 3, 2, 2, 2}) * (i + 1) + i);
  torch::nn::Sequential one(torch::nn::BatchNorm3d(3));
  torch::nn::Sequential rank0(torch::nn::BatchNorm3d(3)), rank1(torch::nn::BatchNorm3d(3));
  for (auto* net : {&one, &rank0, &rank1}) (*net)->train();
  RunningStatistics s_one(*one), s0(*rank0), s1(*rank1);
  const torch::Tensor start = torch::rand({6});
  for (auto* s : {&s_one, &s0, &s1}) s->assign(start);
  for (const auto& x : samples) one->forward(x);
  rank0->forward(samples[0]);
  rank0->forward(samples[1]);
  rank1->forward(samples[2]);
  const torch::Tensor composed =
      compose_running_statistics(start, {s0.flat(), s1.flat()}, {2, 1}, s0.momentum());
  EXPECT_DOUBLE_EQ(s0.momentum(), 0.1);
  EXPECT_TRUE(torch::allclose(composed, s_one.flat(), 1e-6, 1e-7)) << composed << s_one.flat();
  // Without composing, rank 0's statistics would be another thing.
  EXPECT_FALSE(torch::allclose(s0.flat(), s_one.flat(), 1e-3, 1e-4));
}

TEST(DataParallel, OneProcessDividesTheSummedGradientsByTheStepsSamples) {
  auto w = torch::ones({3}, torch::requires_grad());
  auto v = torch::ones({2}, torch::requires_grad());  // gets no gradient: counts as zero
  (w * torch::tensor({1.0f, 2.0f, 3.0f})).sum().backward();
  (w * torch::tensor({3.0f, 2.0f, 1.0f})).sum().backward();
  const double loss = average_step_gradients(nullptr, {w, v}, 5.0, 2);
  EXPECT_EQ(loss, 5.0);
  EXPECT_TRUE(torch::equal(w.grad(), torch::full({3}, 2.0f)));
  EXPECT_TRUE(torch::equal(v.grad(), torch::zeros({2})));
  // One sample: the gradient is left bit for bit.
  auto u = torch::ones({1}, torch::requires_grad());
  (u * 0.3f).sum().backward();
  average_step_gradients(nullptr, {u}, 0.0, 1);
  EXPECT_EQ(u.grad().item<float>(), 0.3f);
}

}  // namespace
}  // namespace lrpseg
