#pragma once
// What the CLI tests expect of a refused command: one line naming the file or
// option, a non-zero exit (2 for usage errors), no crash.
#include <gtest/gtest.h>

#include <string>

#include "run_command.h"
#include "temp_dir.h"

namespace lrpseg::test {

inline int lines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

// Lines other than the kernel check's warning, which a LibTorch with a wrong
// oneDNN (Debian 13's 2.6) prints before any error (model/convolution_check.h).
inline int lines_but_kernel_warning(const std::string& text) {
  const std::string warning = "lrpseg: warning: float32 ";
  int n = 0;
  for (size_t start = 0, end; start < text.size(); start = end + 1) {
    end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (text.compare(start, warning.size(), warning) != 0) n += end < text.size();
  }
  return n;
}

inline void expect_clean_error(const CommandResult& r, const std::string& mentions) {
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_GT(r.status, 0) << "crashed: " << r.output;
  EXPECT_NE(r.output.find(mentions), std::string::npos) << r.output;
  EXPECT_EQ(lines_but_kernel_warning(r.output), 1) << r.output;
}

// A clean error that is a usage error (exit status 2).
inline void expect_usage_error(const CommandResult& r, const std::string& mentions) {
  EXPECT_EQ(r.status, 2) << r.output;
  expect_clean_error(r, mentions);
}

// `lrpseg train` of a width-2 net, one epoch at 4x16x16, on dir/data into dir/m.
inline CommandResult train_tiny(const TempDir& dir, const std::string& extra = "") {
  return run_lrpseg("train --data " + (dir / "data") + " --out " + (dir / "m") +
                    " --width 2 --size 4x16x16 --epochs 1 --threads 1 --quiet" + extra);
}

}  // namespace lrpseg::test
