#include "util/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "temp_dir.h"
#include "util/error.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;

size_t entries(const fs::path& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

TEST(AtomicFile, WritesAndReadsBack) {
  test::TempDir dir;
  write_text_atomically(dir / "a.txt", "hello\n");
  EXPECT_EQ(read_text(dir / "a.txt"), "hello\n");
  EXPECT_EQ(entries(dir.path()), 1u);
}

TEST(AtomicFile, FailedWriteKeepsTheOldFileAndLeavesNoTemporary) {
  test::TempDir dir;
  write_text_atomically(dir / "a.txt", "old");
  EXPECT_THROW(write_atomically(dir / "a.txt",
                                [](const std::string& tmp) {
                                  write_text_atomically(tmp, "partial");
                                  throw Error("disk full");
                                }),
               Error);
  EXPECT_EQ(read_text(dir / "a.txt"), "old");
  EXPECT_EQ(entries(dir.path()), 1u);
}

TEST(AtomicFile, SyncsTheFileBeforeAndTheFolderAfterTheRename) {
  test::TempDir dir;
  const int64_t before = sync_count();
  write_text_atomically(dir / "a.txt", "x");
  EXPECT_EQ(sync_count() - before, 2);  // the temporary file, then the folder
  const int64_t after_write = sync_count();
  EXPECT_THROW(write_atomically(dir / "b.txt", [](const std::string&) { throw Error("full"); }),
               Error);
  EXPECT_EQ(sync_count(), after_write);  // nothing renamed, nothing synced
  sync_folder(dir.path().string());
  EXPECT_EQ(sync_count(), after_write + 1);
  EXPECT_THROW(sync_folder(dir / "missing"), Error);
}

TEST(AtomicFile, MissingDirectoryIsAnErrorNamingIt) {
  test::TempDir dir;
  try {
    write_text_atomically(dir / "nope/a.txt", "x");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos);
  }
}

}  // namespace
}  // namespace lrpseg
