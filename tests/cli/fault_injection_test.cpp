// Faults a long run meets in practice: kill -9 at any moment, a full disk, a
// second run on the same output folder. After a rerun the outputs equal an
// uninterrupted run's, no partial file is ever visible, and a failed write
// leaves the previous outputs as they were.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "data/synth.h"
#include "io/nifti.h"
#include "run_command.h"
#include "temp_dir.h"
#include "util/atomic_file.h"
#include "util/csv.h"
#include "util/folder_lock.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;
using test::run_lrpseg;
using test::run_shell;

// Timings differ from run to run; everything else must not.
void drop_timings(nlohmann::json& j) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end();) {
      if (it.key().find("seconds") != std::string::npos) {
        it = j.erase(it);
      } else {
        drop_timings(*it++);
      }
    }
  } else if (j.is_array()) {
    for (auto& v : j) drop_timings(v);
  }
}

// A CSV table without its timing columns.
std::string drop_timing_columns(const std::string& text) {
  const CsvTable table = parse_csv(text, "csv");
  std::vector<size_t> keep;
  for (size_t c = 0; c < table.header.size(); ++c)
    if (table.header[c].find("seconds") == std::string::npos) keep.push_back(c);
  std::string out;
  auto add_row = [&](const std::vector<std::string>& row) {
    for (size_t k = 0; k < keep.size(); ++k) out += (k ? "," : "") + row.at(keep[k]);
    out += "\n";
  };
  add_row(table.header);
  for (const auto& row : table.rows) add_row(row);
  return out;
}

// Every visible file under `dir` by relative path: NIfTI and binary bytes, CSV
// and JSON without timings. Each must be complete — a NIfTI file reads, a JSON
// file parses. Hidden files (a killed run's temporaries and stale lock) are
// allowed only `after_kill`; a finished run leaves none.
std::map<std::string, std::string> visible_outputs(const fs::path& dir, bool after_kill = false) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (!e.is_regular_file()) continue;
    const std::string relative = fs::relative(e.path(), dir).string();
    if (name[0] == '.') {
      if (!after_kill) ADD_FAILURE() << "left behind: " << relative;
      continue;
    }
    std::string bytes = read_text(e.path().string());
    if (e.path().extension() == ".json") {
      auto j = nlohmann::json::parse(bytes);  // throws on a partial file
      drop_timings(j);
      bytes = j.dump();
    } else if (e.path().extension() == ".csv") {
      bytes = drop_timing_columns(bytes);
    } else if (name.find(".nii") != std::string::npos) {
      EXPECT_NO_THROW(read_nifti(e.path().string())) << relative;
    }
    files[relative] = bytes;
  }
  return files;
}

struct Fixture {
  test::TempDir dir;
  std::string explain;  // explain with paper filters on both cases, minus --out
  Fixture() {
    synthesize_isles({dir / "data", 2, 0, 3});
    const auto r = run_lrpseg("train --data " + (dir / "data") + " --out " + (dir / "m") +
                              " --width 2 --size 4x16x16 --epochs 1 --threads 1 --quiet");
    EXPECT_EQ(r.status, 0) << r.output;
    explain = "explain --model " + (dir / "m") + " --data " + (dir / "data") +
              " --cases 1-2 --filters paper --threads 1 --quiet --out ";
  }
};

TEST(FaultInjection, ExplainKilledAtRandomMomentsThenRerunEqualsAnUninterruptedRun) {
  Fixture f;
  ASSERT_EQ(run_lrpseg(f.explain + (f.dir / "whole")).status, 0);
  const auto whole = visible_outputs(f.dir / "whole");
  ASSERT_EQ(whole.size(), 2u * 18u);  // per case: 16 relevance maps, prediction, summary

  std::mt19937 random(17);
  std::uniform_int_distribution<int> delay_ms(300, 2500);
  for (int attempt = 0; attempt < 4; ++attempt) {
    const int ms = delay_ms(random);
    run_shell("( " + std::string(LRPSEG_BINARY) + " " + f.explain + (f.dir / "killed") +
              " & pid=$!; sleep " + std::to_string(ms / 1000.0) +
              "; kill -9 $pid; wait $pid ) >/dev/null 2>&1");
    // What is visible after the kill is complete (partial files are hidden temporaries).
    if (fs::exists(f.dir / "killed")) {
      for (const auto& [name, bytes] : visible_outputs(f.dir / "killed", /*after_kill=*/true))
        if (whole.count(name)) {
          EXPECT_EQ(bytes, whole.at(name)) << name << " after " << ms << " ms";
        }
    }
  }
  ASSERT_EQ(run_lrpseg(f.explain + (f.dir / "killed")).status, 0);
  EXPECT_EQ(visible_outputs(f.dir / "killed"), whole);
}

TEST(FaultInjection, TrainingKilledAtRandomMomentsThenResumedEqualsAnUninterruptedRun) {
  test::TempDir dir;
  synthesize_isles({dir / "data", 2, 0, 4});
  const std::string train = std::string(LRPSEG_BINARY) + " train --data " + (dir / "data") +
                            " --width 2 --size 4x16x16 --epochs 5 --threads 1 --quiet --out ";
  ASSERT_EQ(run_shell(train + (dir / "whole")).status, 0);
  const auto whole = visible_outputs(dir / "whole");

  std::mt19937 random(5);
  std::uniform_int_distribution<int> delay_ms(500, 4000);
  const std::string killed = dir / "killed";
  auto resume = [&] { return fs::exists(killed + "/model.json") ? " --resume" : ""; };
  for (int attempt = 0; attempt < 3; ++attempt) {
    run_shell("( " + train + killed + resume() + " & pid=$!; sleep " +
              std::to_string(delay_ms(random) / 1000.0) + "; kill -9 $pid; wait $pid ) >/dev/null");
    if (fs::exists(killed + "/model.json")) (void)visible_outputs(killed, /*after_kill=*/true);
  }
  const auto r = run_shell(train + killed + resume());
  ASSERT_TRUE(r.status == 0 || r.output.find("already holds") != std::string::npos) << r.output;
  EXPECT_EQ(visible_outputs(killed), whole);
}

TEST(FaultInjection, AFullDiskFailsCleanlyAndLeavesThePreviousOutputsIntact) {
  Fixture f;
  ASSERT_EQ(run_lrpseg(f.explain + (f.dir / "out")).status, 0);
  const auto before = visible_outputs(f.dir / "out");
  // RLIMIT_FSIZE makes every write past 4 KiB fail with EFBIG, as a full disk
  // fails with ENOSPC (SIGXFSZ ignored, so the write returns the error).
  const auto r = run_shell("trap '' XFSZ; ulimit -f 8; exec " + std::string(LRPSEG_BINARY) + " " +
                           f.explain + (f.dir / "out"));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_NE(r.output.find(f.dir / "out"), std::string::npos) << r.output;
  EXPECT_EQ(visible_outputs(f.dir / "out"), before);
}

TEST(FaultInjection, AReadOnlyOutputFolderIsNamedAndKeptAsItWas) {
  Fixture f;
  ASSERT_EQ(run_lrpseg(f.explain + (f.dir / "out")).status, 0);
  const auto before = visible_outputs(f.dir / "out");
  for (const auto& e : fs::recursive_directory_iterator(f.dir / "out"))
    if (e.is_directory())
      fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::remove);
  fs::permissions(f.dir / "out", fs::perms::owner_write | fs::perms::group_write,
                  fs::perm_options::remove);
  // Root ignores permission bits: run as nobody then (the files stay readable).
  const std::string as_user =
      geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
  if (!as_user.empty() && run_shell(as_user + LRPSEG_BINARY + " --version").status != 0)
    GTEST_SKIP() << "SKIPPED: user nobody cannot run " << LRPSEG_BINARY
                 << " here (a folder above it is private), so a read-only folder cannot be shown";
  const auto r = run_shell(as_user + LRPSEG_BINARY + " " + f.explain + (f.dir / "out"));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find((f.dir / "out") + ": cannot write in this folder"), std::string::npos)
      << r.output;
  for (const auto& e : fs::recursive_directory_iterator(f.dir / "out"))
    if (e.is_directory()) fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
  fs::permissions(f.dir / "out", fs::perms::owner_write, fs::perm_options::add);
  EXPECT_EQ(visible_outputs(f.dir / "out"), before);
}

TEST(FaultInjection, ASecondRunOnTheSameFolderRefusesWhileTheFirstHoldsIt) {
  Fixture f;
  {
    const FolderLock first(f.dir / "out", "explain");  // as a running lrpseg would hold it
    const auto r = run_lrpseg(f.explain + (f.dir / "out"));
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_NE(r.output.find("another lrpseg run is writing here (pid "), std::string::npos)
        << r.output;
    EXPECT_FALSE(fs::exists(f.dir / "out/training_1"));
  }
  // Released (or its holder killed): the next run proceeds.
  EXPECT_EQ(run_lrpseg(f.explain + (f.dir / "out")).status, 0);
}

}  // namespace
}  // namespace lrpseg
