#include "util/folder_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {

namespace fs = std::filesystem;

namespace {

std::string now_text() {
  const std::time_t t = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
  return text;
}

std::string read_holder(int fd) {
  char buffer[512];
  const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  std::string holder(buffer, n > 0 ? static_cast<size_t>(n) : 0);
  while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
  return holder;
}

// Whether `fd` still refers to the file at `path`: a releasing run unlinks the
// file, and a lock on the unlinked inode would guard nothing.
bool still_linked(int fd, const std::string& path) {
  struct stat held;
  struct stat named;
  return ::fstat(fd, &held) == 0 && ::stat(path.c_str(), &named) == 0 &&
         held.st_ino == named.st_ino && held.st_dev == named.st_dev;
}

// Hidden temporaries of atomic writes whose writer is no longer running (a
// run killed mid-write): the lock guarantees no other run writes here now.
void remove_dead_temporaries(const std::string& folder) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const auto pid = temporary_writer(it->path().filename().string());
    if (!pid || !it->is_regular_file(ec)) continue;
    if (::kill(static_cast<pid_t>(*pid), 0) != 0 && errno == ESRCH) fs::remove(it->path(), ec);
  }
}

}  // namespace

FolderLock::FolderLock(const std::string& folder, const std::string& command)
    : folder_(folder), path_((fs::path(folder) / ".lrpseg.lock").string()) {
  std::error_code ec;
  if (fs::exists(folder_, ec) && !fs::is_directory(folder_, ec))
    throw Error(folder_ + ": exists and is not a folder");
  created_folder_ = fs::create_directories(folder_, ec);
  if (ec) throw Error(folder_ + ": cannot create folder (" + ec.message() + ")");
  for (int attempt = 0; attempt < 8; ++attempt) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      const int error = errno;
      if (created_folder_) fs::remove(folder_, ec);
      throw Error(folder_ + ": cannot write in this folder (" + std::strerror(error) + ")");
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const std::string holder = read_holder(fd_);
      ::close(fd_);
      fd_ = -1;
      throw Error(folder_ + ": another lrpseg run is writing here (" +
                  (holder.empty() ? std::string("holder unknown") : holder) +
                  "); wait for it to finish or choose another output folder");
    }
    if (still_linked(fd_, path_)) break;
    ::close(fd_);  // released and removed meanwhile: lock the new file
    fd_ = -1;
  }
  if (fd_ < 0) throw Error(folder_ + ": cannot lock " + path_);
  stale_ = !read_holder(fd_).empty();
  remove_dead_temporaries(folder_);
  const std::string holder = "pid " + std::to_string(::getpid()) + ", lrpseg " + command +
                             ", started " + now_text() + "\n";
  // Without the description the lock still holds; a refused run says "holder unknown".
  if (::ftruncate(fd_, 0) == 0) (void)!::pwrite(fd_, holder.data(), holder.size(), 0);
}

FolderLock::~FolderLock() {
  if (fd_ < 0) return;
  std::error_code ec;
  fs::remove(path_, ec);  // while still holding the lock (see still_linked)
  ::close(fd_);
  if (created_folder_ && fs::is_empty(folder_, ec)) fs::remove(folder_, ec);
}

}  // namespace lrpseg
