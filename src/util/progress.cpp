#include "util/progress.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace lrpseg {

std::string format_seconds(double seconds) {
  char buf[32];
  if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.1fs", seconds);
  } else if (seconds < 3600) {
    std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(seconds) / 60,
                  static_cast<int>(seconds) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(seconds) / 3600,
                  (static_cast<int>(seconds) % 3600) / 60);
  }
  return buf;
}

Progress::Progress(std::string label, int64_t total, bool quiet)
    : label_(std::move(label)),
      total_(total > 0 ? total : 1),
      quiet_(quiet),
      tty_(isatty(fileno(stderr))),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  if (!finished_ && tty_ && !quiet_) std::cerr << "\n";
}

void Progress::update(int64_t done, const std::string& status) { draw(done, status, false); }

void Progress::finish(const std::string& status) {
  draw(total_, status, true);
  finished_ = true;
}

void Progress::draw(int64_t done, const std::string& status, bool final) {
  if (quiet_ || finished_) return;
  auto now = std::chrono::steady_clock::now();
  double elapsed = std::chrono::duration<double>(now - start_).count();
  double fraction = static_cast<double>(done) / static_cast<double>(total_);
  double eta = done > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
  std::string timing = final ? "took " + format_seconds(elapsed)
                             : "ETA " + (done > 0 ? format_seconds(eta) : std::string("?"));
  if (tty_) {
    if (!final && std::chrono::duration<double>(now - last_draw_).count() < 0.1 && done < total_) {
      return;
    }
    last_draw_ = now;
    constexpr int kWidth = 30;
    int filled = static_cast<int>(fraction * kWidth);
    std::string bar(filled, '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\r%s [%s] %lld/%lld %s %s\033[K", label_.c_str(), bar.c_str(),
                 static_cast<long long>(done), static_cast<long long>(total_), timing.c_str(),
                 status.c_str());
    if (final) std::fprintf(stderr, "\n");
    std::fflush(stderr);
    return;
  }
  int decile = static_cast<int>(fraction * 10);
  if (!final && decile == last_decile_) return;
  last_decile_ = decile;
  std::fprintf(stderr, "%s %lld/%lld %s %s\n", label_.c_str(), static_cast<long long>(done),
               static_cast<long long>(total_), timing.c_str(), status.c_str());
}

}  // namespace lrpseg
