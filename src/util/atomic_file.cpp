#include "util/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/error.h"

namespace lrpseg {

namespace fs = std::filesystem;

namespace {

std::atomic<int64_t> syncs{0};

// fsync(2) of a file or folder; folders on file systems that cannot sync them
// (EINVAL) are skipped.
void sync_path(const fs::path& path, bool folder, const std::string& target) {
  const int fd = ::open(path.c_str(), folder ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
  if (fd < 0) throw Error(target + ": cannot open " + path.string() + " to sync it");
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0 && !(folder && (error == EINVAL || error == EROFS)))
    throw Error(target + ": cannot sync to disk (" + std::strerror(error) + ")");
  ++syncs;
}

}  // namespace

int64_t sync_count() { return syncs.load(); }

void sync_file(const std::string& file) { sync_path(file, false, file); }

void sync_folder(const std::string& folder) { sync_path(folder, true, folder); }

void write_atomically(const std::string& path,
                      const std::function<void(const std::string&)>& write) {
  fs::path target(path);
  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(dir)) throw Error(path + ": directory " + dir.string() + " does not exist");
  fs::path tmp = dir / temporary_name(target.filename().string(), getpid());
  try {
    write(tmp.string());
    sync_path(tmp, false, path);  // the data is on disk before the name points to it
    fs::rename(tmp, target);
    sync_path(dir, true, path);  // and the new name is on disk when we return
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
}

std::string temporary_name(const std::string& filename, long pid, const std::string& extension) {
  return "." + filename + ".tmp" + std::to_string(pid) + extension;
}

std::optional<long> temporary_writer(const std::string& full_name) {
  std::string name = full_name;
  for (const std::string extension : {".nii.gz", ".nii"}) {
    if (name.size() > extension.size() &&
        name.compare(name.size() - extension.size(), extension.size(), extension) == 0) {
      name.resize(name.size() - extension.size());
      break;
    }
  }
  const auto tmp = name.rfind(".tmp");
  if (name.size() < 3 || name[0] != '.' || tmp == std::string::npos || tmp < 2) return std::nullopt;
  const std::string digits = name.substr(tmp + 4);
  if (digits.empty() || digits.size() > 9 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stol(digits);
}

void write_text_atomically(const std::string& path, const std::string& text) {
  write_atomically(path, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    out.close();
    if (!out) throw Error(path + ": cannot write file");
  });
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace lrpseg
