#pragma once
// Runs the lrpseg executable through the shell and captures its exit status
// and combined output.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace lrpseg::test {

struct CommandResult {
  int status = -1;
  std::string output;
};

// `command` through the shell, stderr with stdout.
inline CommandResult run_shell(const std::string& shell_command) {
  const std::string command = shell_command + " 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.output.append(buffer.data(), n);
  int raw = pclose(pipe);
  result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return result;
}

inline CommandResult run_lrpseg(const std::string& args) {
  return run_shell(std::string(LRPSEG_BINARY) + " " + args);
}

}  // namespace lrpseg::test
