#pragma once
// Progress of a long step: a bar with ETA on a terminal, plain lines otherwise
// (logs, CI), at most one line per `line_every` of the work.
#include <chrono>
#include <string>

namespace lrpseg {

class Progress {
 public:
  Progress(std::string label, int64_t total, bool quiet = false);
  ~Progress();
  // Marks `done` units complete; `status` is shown after the bar (e.g. "loss 0.12").
  void update(int64_t done, const std::string& status = "");
  void finish(const std::string& status = "");

 private:
  void draw(int64_t done, const std::string& status, bool final);
  std::string label_;
  int64_t total_;
  bool quiet_;
  bool tty_;
  bool finished_ = false;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

// "1m23s", "4.2s"
std::string format_seconds(double seconds);

}  // namespace lrpseg
