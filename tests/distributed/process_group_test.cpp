#include "distributed/process_group.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <mutex>
#include <thread>

#include "distributed/launcher.h"
#include "util/error.h"

namespace lrpseg {
namespace {

// Runs `body(group)` as ranks 0..n-1 of one Gloo job, each on its own thread; returns what
// each rank's body returned.
template <typename Body>
std::vector<std::vector<torch::Tensor>> run_ranks(int n, Body body) {
  const int port = free_local_port();
  std::vector<std::vector<torch::Tensor>> results(static_cast<size_t>(n));
  std::vector<std::string> errors(static_cast<size_t>(n));
  std::vector<std::thread> threads;
  for (int r = 0; r < n; ++r) {
    threads.emplace_back([&, r] {
      try {
        RankEnvironment env;
        env.rank = r;
        env.world_size = n;
        env.local_world_size = n;
        env.local_rank = r;
        env.master_port = port;
        auto group = ProcessGroup::join(env, std::chrono::seconds(60));
        results[static_cast<size_t>(r)] = body(*group);
      } catch (const std::exception& e) {
        errors[static_cast<size_t>(r)] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int r = 0; r < n; ++r) EXPECT_EQ(errors[static_cast<size_t>(r)], "") << "rank " << r;
  return results;
}

TEST(ProcessGroup, AllReduceSumsEveryTensorAcrossBuckets) {
  // Three ranks; tiny buckets force several collectives, float64 its own bucket.
  auto results = run_ranks(3, [](ProcessGroup& g) {
    const double r = g.rank();
    std::vector<torch::Tensor> t{torch::full({2, 3}, r + 1), torch::arange(5, torch::kFloat) * r,
                                 torch::full({1}, r, torch::kDouble), torch::full({4}, 2 * r)};
    g.all_reduce_sum(t, /*bucket_bytes=*/24);
    return t;
  });
  for (const auto& t : results) {
    ASSERT_EQ(t.size(), 4u);
    EXPECT_TRUE(torch::equal(t[0], torch::full({2, 3}, 6.0f)));            // 1 + 2 + 3
    EXPECT_TRUE(torch::equal(t[1], torch::arange(5, torch::kFloat) * 3));  // 0 + 1 + 2
    EXPECT_EQ(t[2].item<double>(), 3.0);
    EXPECT_EQ(t[2].scalar_type(), torch::kDouble);
    EXPECT_TRUE(torch::equal(t[3], torch::full({4}, 6.0f)));
  }
}

TEST(ProcessGroup, AllGatherIsInRankOrderAndBroadcastCopiesRankZero) {
  auto results = run_ranks(2, [](ProcessGroup& g) {
    auto gathered = g.all_gather(torch::full({3}, float(g.rank() + 10)));
    torch::Tensor mine = torch::full({2, 2}, float(g.rank() + 7)).t();  // not contiguous
    g.broadcast({mine});
    g.barrier();
    gathered.push_back(mine);
    return gathered;
  });
  for (const auto& t : results) {
    ASSERT_EQ(t.size(), 3u);
    EXPECT_TRUE(torch::equal(t[0], torch::full({3}, 10.0f)));
    EXPECT_TRUE(torch::equal(t[1], torch::full({3}, 11.0f)));
    EXPECT_TRUE(torch::equal(t[2], torch::full({2, 2}, 7.0f)));
  }
}

TEST(ProcessGroup, TextsOfAnyLengthAreGatheredInRankOrder) {
  std::vector<std::string> texts;
  std::mutex m;
  run_ranks(3, [&](ProcessGroup& g) {
    const std::string mine =
        g.rank() == 1 ? "" : std::string(size_t(g.rank() * 1000 + 3), 'a' + char(g.rank()));
    auto all = g.all_gather_text(mine);
    std::lock_guard<std::mutex> lock(m);
    if (g.rank() == 2) texts = all;
    return std::vector<torch::Tensor>{};
  });
  ASSERT_EQ(texts.size(), 3u);
  EXPECT_EQ(texts[0], "aaa");
  EXPECT_EQ(texts[1], "");
  EXPECT_EQ(texts[2], std::string(2003, 'c'));
  EXPECT_TRUE(owns_item(nullptr, 7));
}

TEST(ProcessGroup, OwnedItemsAreCompletedOnEveryRankAndAMissingOneIsAnError) {
  std::vector<std::vector<nlohmann::json>> seen(3);
  std::vector<std::string> errors(3);
  run_ranks(3, [&](ProcessGroup& g) {
    std::vector<nlohmann::json> items(5);
    for (size_t i = 0; i < items.size(); ++i)
      if (owns_item(&g, i)) items[i] = {{"item", i}, {"rank", g.rank()}};
    gather_owned_items(items, &g);
    seen[size_t(g.rank())] = items;
    std::vector<nlohmann::json> holes(2);  // nobody fills item 1
    if (g.rank() == 0) holes[0] = 1;
    try {
      gather_owned_items(holes, &g);
    } catch (const Error& e) {
      errors[size_t(g.rank())] = e.what();
    }
    return std::vector<torch::Tensor>{};
  });
  for (int r = 0; r < 3; ++r) {
    ASSERT_EQ(seen[size_t(r)].size(), 5u);
    for (size_t i = 0; i < 5; ++i) {
      EXPECT_EQ(seen[size_t(r)][i]["item"], i);
      EXPECT_EQ(seen[size_t(r)][i]["rank"], int(i % 3));  // round-robin
    }
    EXPECT_NE(errors[size_t(r)].find("no rank computed item 1"), std::string::npos)
        << errors[size_t(r)];
  }
}

TEST(ProcessGroup, APeerThatNeverComesIsAnErrorNamingTheRendezvous) {
  RankEnvironment env;
  env.rank = 1;
  env.world_size = 2;
  env.master_port = free_local_port();  // nobody serves it
  try {
    ProcessGroup::join(env, std::chrono::seconds(2));
    FAIL() << "joined";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rank 1 of 2: rendezvous at 127.0.0.1:"),
              std::string::npos)
        << e.what();
  }
}

class Environment : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const char* v :
         {"RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"})
      unsetenv(v);
  }
};

TEST_F(Environment, TorchrunsVariablesAreRead) {
  EXPECT_FALSE(rank_environment().distributed());
  setenv("WORLD_SIZE", "4", 1);
  setenv("RANK", "3", 1);
  setenv("LOCAL_WORLD_SIZE", "2", 1);
  setenv("LOCAL_RANK", "1", 1);
  setenv("MASTER_ADDR", "node07", 1);
  setenv("MASTER_PORT", "29500", 1);
  const RankEnvironment env = rank_environment();
  EXPECT_TRUE(env.distributed());
  EXPECT_EQ(env.rank, 3);
  EXPECT_EQ(env.world_size, 4);
  EXPECT_EQ(env.local_rank, 1);
  EXPECT_EQ(env.local_world_size, 2);
  EXPECT_EQ(env.master_address, "node07");
  EXPECT_EQ(env.master_port, 29500);
  EXPECT_GE(default_threads_per_rank(env), 1);
}

TEST_F(Environment, BadVariablesAreNamed) {
  auto error_of = [] {
    try {
      rank_environment();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  setenv("WORLD_SIZE", "two", 1);
  EXPECT_NE(error_of().find("WORLD_SIZE='two'"), std::string::npos) << error_of();
  setenv("WORLD_SIZE", "2", 1);
  EXPECT_NE(error_of().find("RANK is not"), std::string::npos) << error_of();
  setenv("RANK", "2", 1);
  EXPECT_NE(error_of().find("RANK='2'"), std::string::npos) << error_of();
  setenv("RANK", "1", 1);
  EXPECT_NE(error_of().find("MASTER_ADDR"), std::string::npos) << error_of();
  setenv("MASTER_ADDR", "127.0.0.1", 1);
  EXPECT_NE(error_of().find("MASTER_PORT"), std::string::npos) << error_of();
  setenv("MASTER_PORT", "70000", 1);
  EXPECT_NE(error_of().find("MASTER_PORT='70000'"), std::string::npos) << error_of();
}

}  // namespace
}  // namespace lrpseg
