// `train --nproc N`: Gloo ranks on this machine train what one process trains with the same
// global batch, and a rank that dies stops the job with an error instead of a hang.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "cli_expect.h"
#include "data/synth.h"
#include "model/checkpoint.h"
#include "util/atomic_file.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;
using test::run_lrpseg;

// Largest |a − b| over the parameters and buffers of two checkpoints.
double max_difference(const std::string& a, const std::string& b) {
  LoadedModel x = load_checkpoint(a), y = load_checkpoint(b);
  auto px = x.net->named_parameters(), py = y.net->named_parameters();
  auto bx = x.net->named_buffers(), by = y.net->named_buffers();
  double worst = 0;
  for (const auto& [dict_x, dict_y] : {std::pair{&px, &py}, std::pair{&bx, &by}}) {
    for (const auto& item : *dict_x) {
      const torch::Tensor other = (*dict_y)[item.key()];
      worst = std::max(
          worst,
          (item.value().to(torch::kDouble) - other.to(torch::kDouble)).abs().max().item<double>());
    }
  }
  return worst;
}

std::string train_command(const test::TempDir& dir, const std::string& out, int epochs,
                          const std::string& extra) {
  return "train --data " + (dir / "data") + " --out " + (dir / out) +
         " --width 2 --size 4x16x16 --seed 3 --val-cases 5 --quiet --epochs " +
         std::to_string(epochs) + " " + extra;
}

// dir/data (5 cases) and dir/m trained one epoch on one thread, for the sharded subcommands.
void trained_model(const test::TempDir& dir) {
  synthesize_isles({dir / "data", 5, 0, 2});
  ASSERT_EQ(run_lrpseg(train_command(dir, "m", 1, "--threads 1")).status, 0);
}

// `relative` written by two runs, dir/one and dir/two, holds the same bytes.
void expect_same_file(const test::TempDir& dir, const std::string& relative) {
  const fs::path a = dir.path() / "one" / relative, b = dir.path() / "two" / relative;
  ASSERT_TRUE(fs::exists(b)) << b;
  EXPECT_EQ(read_text(b.string()), read_text(a.string())) << relative;
}

TEST(DataParallel, TwoGlooRanksTrainWhatOneProcessTrainsWithTheSameGlobalBatch) {
  test::TempDir dir;
  synthesize_isles({dir / "data", 5, 0, 1});  // 4 training cases + 1 held out
  // One thread each, so that both do the same arithmetic per sample: with Adam, rounding noise
  // in the gradients of biases that BatchNorm cancels (exactly 0 in exact arithmetic) becomes
  // steps of ±lr.
  auto one = run_lrpseg(train_command(dir, "one", 2, "--batch 2 --threads 1"));
  ASSERT_EQ(one.status, 0) << one.output;
  auto two = run_lrpseg(train_command(dir, "two", 2, "--nproc 2 --threads 1"));
  ASSERT_EQ(two.status, 0) << two.output;
  EXPECT_LE(max_difference(dir / "one", dir / "two"), 1e-5);
  // ... and not what batch 1 trains: the comparison can fail.
  auto batch1 = run_lrpseg(train_command(dir, "batch1", 2, "--threads 1"));
  ASSERT_EQ(batch1.status, 0) << batch1.output;
  EXPECT_GT(max_difference(dir / "one", dir / "batch1"), 1e-3);
  const auto info = nlohmann::json::parse(read_text(dir / "two/model.json"));
  EXPECT_EQ(info["training"]["processes"], 2);
  EXPECT_EQ(info["training"]["batch_size"], 2);
  EXPECT_EQ(info["epoch"], 2);
}

TEST(DataParallel, ABatchThatTheRanksCannotShareIsAUsageError) {
  test::TempDir dir;
  test::expect_usage_error(run_lrpseg(train_command(dir, "m", 1, "--nproc 2 --batch 3")),
                           "--batch 3");
  EXPECT_FALSE(fs::exists(dir / "m"));
}

// Sharded subcommands: the ranks share the cases and rank 0 writes exactly what one process
// writes (one thread everywhere, so that the arithmetic is the same).
TEST(DataParallel, ASweepSharedByTwoRanksWritesTheSingleProcessFiles) {
  test::TempDir dir;
  ASSERT_NO_FATAL_FAILURE(trained_model(dir));
  const std::string sweep = "sweep --model " + (dir / "m") + " --data " + (dir / "data") +
                            " --cases 1-3 --filters raw,pass:0-0.4,clamp:0-0.2 --threads 1 --quiet";
  auto one = run_lrpseg(sweep + " --out " + (dir / "one"));
  ASSERT_EQ(one.status, 0) << one.output;
  auto two = run_lrpseg(sweep + " --nproc 2 --out " + (dir / "two"));
  ASSERT_EQ(two.status, 0) << two.output;
  for (const char* file :
       {"sweep/sweep.csv", "sweep/summary.csv", "sweep/summary.md", "sweep/dice.csv"}) {
    expect_same_file(dir, file);
  }
  std::string lines = two.output;  // the best-filter lines and the report, printed once
  lines.replace(lines.find("/two/report.html"), 4, "/one");
  EXPECT_EQ(lines, one.output);
  EXPECT_TRUE(fs::exists(dir / "two/report.html"));
}

TEST(DataParallel, ExplainSharedByTwoRanksWritesEveryCase) {
  test::TempDir dir;
  ASSERT_NO_FATAL_FAILURE(trained_model(dir));
  const std::string explain = "explain --model " + (dir / "m") + " --data " + (dir / "data") +
                              " --cases 1-3 --filters raw,clamp:0-0.2 --threads 1 --quiet";
  ASSERT_EQ(run_lrpseg(explain + " --out " + (dir / "one")).status, 0);
  auto two = run_lrpseg(explain + " --nproc 2 --out " + (dir / "two"));
  ASSERT_EQ(two.status, 0) << two.output;
  for (const char* c : {"training_1", "training_2", "training_3"}) {
    for (const char* file :
         {"relevance_raw.nii.gz", "relevance_clamp_0-0.2.nii.gz", "prediction.nii.gz"}) {
      expect_same_file(dir, std::string(c) + "/" + file);
    }
    EXPECT_NE(two.output.find(std::string(c) + "  Dice"), std::string::npos) << two.output;
  }
}

TEST(DataParallel, AnEvaluationSharedByTwoRanksWritesTheSingleProcessFiles) {
  test::TempDir dir;
  ASSERT_NO_FATAL_FAILURE(trained_model(dir));
  const std::string evaluate = "evaluate --model " + (dir / "m") + " --data " + (dir / "data") +
                               " --cases 1-3 --filters raw,clamp:0-0.2 --metrics "
                               "localisation,faithfulness,robustness --perturb-steps 3 "
                               "--robustness-samples 2 --select --alpha-grid 3:0.05-1 "
                               "--select-robustness-samples 2 --threads 1 --quiet";
  auto one = run_lrpseg(evaluate + " --out " + (dir / "one"));
  ASSERT_EQ(one.status, 0) << one.output;
  auto two = run_lrpseg(evaluate + " --nproc 2 --out " + (dir / "two"));
  ASSERT_EQ(two.status, 0) << two.output;
  for (const char* file : {"evaluation.csv", "evaluation_summary.csv", "evaluation_summary.md",
                           "perturbation_curves.csv", "alpha0.json", "alpha_curves.csv"}) {
    expect_same_file(dir, file);
  }
  EXPECT_TRUE(fs::exists(dir / "two/evaluation_alpha.png"));
}

// An experiment of two networks on two ranks: one network each, the sweep's pairs and the
// evaluations shared, rank 0 drawing and writing the report; the files equal one process's.
TEST(DataParallel, AnExperimentSharedByTwoRanksWritesTheSingleProcessRun) {
  test::TempDir dir;
  const nlohmann::json config = {
      {"title", "two networks"},
      {"data", {{"synthesize", {{"cases", 4}, {"seed", 2}}}}},
      {"train_cases", "1-3"},
      {"val_cases", "4"},
      {"series",
       {{{"name", "A"}, {"size", "4x16x16"}, {"count", 1}, {"epochs", 1}, {"width", 2}},
        {{"name", "B"},
         {"size", "4x16x16"},
         {"count", 1},
         {"epochs", 1},
         {"width", 2},
         {"seed", 5}}}},
      {"sweep_cases", "3-4"},
      {"filters", "raw,clamp:0-0.2"},
      {"check_precision", false},
      {"viewer_cases", 1},
      {"evaluate", {{"methods", "lrp"}, {"filters", "raw"}, {"metrics", "localisation"}}},
      {"threads", 1}};
  write_text_atomically(dir / "config.json", config.dump());
  const std::string experiment = "experiment --config " + (dir / "config.json") + " --quiet";
  auto one = run_lrpseg(experiment + " --out " + (dir / "one"));
  ASSERT_EQ(one.status, 0) << one.output;
  auto two = run_lrpseg(experiment + " --nproc 2 --out " + (dir / "two"));
  ASSERT_EQ(two.status, 0) << two.output;
  for (const char* file : {"models/A1/model.pt", "models/B1/model.pt", "segmentations/B1/dice.csv",
                           "sweep/sweep.csv", "sweep/summary.csv", "sweep/dice.csv",
                           "evaluation/A1/evaluation.csv", "evaluation/B1/evaluation.csv"}) {
    expect_same_file(dir, file);
  }
  for (const char* file : {"report.html", "figures/training.png", "viewer/A1_training_3.json"})
    EXPECT_TRUE(fs::exists(dir.path() / "two" / file)) << file;
  const auto manifest = nlohmann::json::parse(read_text(dir / "two/run.json"));
  EXPECT_EQ(manifest["models"].size(), 2u);
  EXPECT_EQ(manifest["evaluation"].size(), 2u);
}

// Children of `pid` whose environment says RANK=`rank`.
pid_t rank_process(pid_t pid, int rank) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    const size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    int parent = 0;
    if (std::sscanf(line.c_str() + close + 1, " %c %d", &state, &parent) != 2 || parent != pid)
      continue;
    std::ifstream environ(entry.path() / "environ");
    std::string variable;
    while (std::getline(environ, variable, '\0'))
      if (variable == "RANK=" + std::to_string(rank)) return std::stoi(name);
  }
  return -1;
}

TEST(DataParallel, AKilledRankStopsTheJobWithAnErrorAndResumeContinuesIt) {
  test::TempDir dir;
  synthesize_isles({dir / "data", 5, 0, 1});
  const std::string log = dir / "killed.log";
  const std::string command = std::string(LRPSEG_BINARY) + " " +
                              train_command(dir, "killed", 1000, "--nproc 2 --threads 1");
  const pid_t job = fork();
  ASSERT_GE(job, 0);
  if (job == 0) {
    execl("/bin/sh", "sh", "-c", ("exec " + command + " >" + log + " 2>&1").c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // Kill rank 1 once rank 0 has written a checkpoint.
  const auto started = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  while (!fs::exists(dir / "killed/model.json") && seconds() < 120)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const pid_t victim = rank_process(job, 1);
  ASSERT_GT(victim, 0) << "no rank 1 process";
  ASSERT_EQ(kill(victim, SIGKILL), 0);
  const double killed_at = seconds();
  int status = 0;
  while (waitpid(job, &status, WNOHANG) == 0) {
    if (seconds() - killed_at > 60) {
      kill(job, SIGKILL);
      FAIL() << "the job did not stop within 60 s of losing a rank";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status;
  const std::string output = read_text(log);
  EXPECT_NE(output.find("rank 1 of 2 was killed by signal 9"), std::string::npos) << output;

  // Resume two epochs past the checkpoint; the same epochs without the kill give the same net.
  const int epoch = nlohmann::json::parse(read_text(dir / "killed/model.json"))["epoch"];
  auto resumed =
      run_lrpseg(train_command(dir, "killed", epoch + 2, "--nproc 2 --threads 1 --resume"));
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_EQ(nlohmann::json::parse(read_text(dir / "killed/model.json"))["epoch"], epoch + 2);
  auto whole = run_lrpseg(train_command(dir, "whole", epoch + 2, "--nproc 2 --threads 1"));
  ASSERT_EQ(whole.status, 0) << whole.output;
  EXPECT_EQ(max_difference(dir / "killed", dir / "whole"), 0.0);
}

}  // namespace
}  // namespace lrpseg
