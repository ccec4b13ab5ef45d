#pragma once
// One run per output folder: a second lrpseg run on the same --out refuses at
// once instead of interleaving its files with the first one's.
#include <string>

namespace lrpseg {

// flock(2) on FOLDER/.lrpseg.lock for the life of the object. The kernel drops
// the lock when its holder exits or is killed, so a lock file left by a killed
// run is stale and simply taken over. The file names the holder (pid, command,
// start time) for the message a refused run prints. The folder is created when
// missing, and removed again on release when the run left nothing in it (a run
// refused for bad input leaves no trace).
class FolderLock {
 public:
  FolderLock(const std::string& folder, const std::string& command);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

  // Whether the lock was taken over from a run that ended without releasing it.
  bool took_over_stale() const { return stale_; }

 private:
  std::string folder_, path_;
  int fd_ = -1;
  bool created_folder_ = false, stale_ = false;
};

}  // namespace lrpseg
