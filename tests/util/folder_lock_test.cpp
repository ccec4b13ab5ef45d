#include "util/folder_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "error_of.h"
#include "temp_dir.h"
#include "util/atomic_file.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;
using test::error_of;
using test::TempDir;

TEST(FolderLock, ASecondRunOnTheSameFolderIsRefusedAndToldWhoHoldsIt) {
  TempDir dir;
  const std::string out = dir / "out";
  const FolderLock first(out, "train");
  // flock locks belong to open files, so a second lock in this process conflicts
  // exactly as one in another process would.
  const std::string message = error_of([&] { FolderLock second(out, "explain"); });
  EXPECT_EQ(message.rfind(out + ": another lrpseg run is writing here", 0), 0u) << message;
  EXPECT_NE(message.find("pid " + std::to_string(getpid()) + ", lrpseg train, started"),
            std::string::npos)
      << message;
}

TEST(FolderLock, ReleaseRemovesTheLockAndAFolderTheRunLeftEmpty) {
  TempDir dir;
  const std::string empty = dir / "empty", used = dir / "used";
  { const FolderLock lock(empty, "segment"); }
  EXPECT_FALSE(fs::exists(empty));  // a refused or failed run leaves no trace
  {
    const FolderLock lock(used, "segment");
    EXPECT_TRUE(fs::exists(used + "/.lrpseg.lock"));
    write_text_atomically(used + "/dice.csv", "case,dice\n");
  }
  EXPECT_TRUE(fs::exists(used + "/dice.csv"));
  EXPECT_FALSE(fs::exists(used + "/.lrpseg.lock"));
  { const FolderLock again(used, "segment"); }  // and the next run takes it
  EXPECT_TRUE(fs::exists(used + "/dice.csv"));
}

TEST(FolderLock, ALockFileLeftByAKilledRunIsTakenOver) {
  TempDir dir;
  const std::string out = dir / "out";
  fs::create_directories(out);
  // What a run killed with -9 leaves: the file, but no lock (the kernel dropped it).
  std::ofstream(out + "/.lrpseg.lock") << "pid 999999, lrpseg train, started 2026-01-01\n";
  const FolderLock lock(out, "train");
  EXPECT_TRUE(lock.took_over_stale());
  EXPECT_NE(read_text(out + "/.lrpseg.lock").find("pid " + std::to_string(getpid())),
            std::string::npos);
}

TEST(FolderLock, TemporariesOfDeadWritersAreRemovedWhenTheLockIsTaken) {
  TempDir dir;
  const std::string out = dir / "out";
  fs::create_directories(out + "/case");
  // A run killed mid-write leaves its hidden temporary (atomic_file.h names them).
  std::ofstream(out + "/case/" + temporary_name("relevance", 999999, ".nii.gz")) << "half";
  std::ofstream(out + "/case/" + temporary_name("summary.json", 999999)) << "half";
  std::ofstream(out + "/case/" + temporary_name("live.json", getpid())) << "being written";
  std::ofstream(out + "/.notes.tmp") << "not ours";
  std::ofstream(out + "/case/relevance.nii.gz") << "whole";
  const FolderLock lock(out, "explain");
  EXPECT_FALSE(fs::exists(out + "/case/.relevance.tmp999999.nii.gz"));
  EXPECT_FALSE(fs::exists(out + "/case/.summary.json.tmp999999"));
  EXPECT_TRUE(fs::exists(out + "/case/" + temporary_name("live.json", getpid())));
  EXPECT_TRUE(fs::exists(out + "/.notes.tmp"));
  EXPECT_TRUE(fs::exists(out + "/case/relevance.nii.gz"));
}

TEST(FolderLock, AFileWhereTheFolderShouldBeIsNamed) {
  TempDir dir;
  std::ofstream(dir / "file") << "x";
  EXPECT_EQ(error_of([&] { FolderLock lock(dir / "file", "train"); }),
            dir / "file" + ": exists and is not a folder");
}

}  // namespace
}  // namespace lrpseg
