#include "common/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace moodtune {
namespace fs = std::filesystem;

namespace {

// Unique per process and per call, so concurrent writers (threads or
// processes) never share a temporary file.
fs::path temporary_beside(const fs::path& target) {
  static std::atomic<unsigned> counter{0};
  const std::string name = "." + target.stem().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                           std::to_string(counter.fetch_add(1)) + target.extension().string();
  return target.parent_path() / name;
}

// Asks the kernel to put a file's (or a folder's) contents on the disk. A
// rename alone orders nothing: after a power cut or a kernel crash the new
// name can be on disk before the data it names, which leaves an empty or
// partial file where a whole one was (ext4 happens to guard this case;
// XFS, btrfs and others need it said). Throws with the reason.
void sync_to_disk(const fs::path& p, bool folder) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | (folder ? O_DIRECTORY : 0));
  if (fd < 0) throw std::runtime_error(std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  // Some file systems cannot sync a folder (EINVAL); that is theirs to
  // guarantee, not a failed write.
  if (rc != 0 && !(folder && (err == EINVAL || err == ENOTSUP))) throw std::runtime_error(std::strerror(err));
}

}  // namespace

void write_atomically(const std::string& path, const std::function<void(const std::string& tmp_path)>& write) {
  if (path.empty()) throw std::runtime_error("no file name given to write");
  const fs::path target(path);
  std::error_code ec;
  // A device, pipe or socket (`--json /dev/null`, `/dev/stdout`, a FIFO) is
  // written in place: there is no file to replace, and renaming over it
  // would put a regular file where the device was.
  const fs::file_status st = fs::status(target, ec);
  if (!ec && fs::exists(st) && !fs::is_regular_file(st) && !fs::is_directory(st)) {
    try {
      write(path);
    } catch (const std::exception& e) {
      throw std::runtime_error(path + ": cannot write (" + e.what() + ")");
    }
    return;
  }
  const fs::path tmp = temporary_beside(target);
  try {
    write(tmp.string());
    if (!fs::exists(tmp, ec)) throw std::runtime_error("nothing was written");
    sync_to_disk(tmp, false);  // a late disk-full or I/O error surfaces here
  } catch (const std::exception& e) {
    fs::remove(tmp, ec);
    throw std::runtime_error(path + ": cannot write (" + e.what() + ")");
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw std::runtime_error(path + ": cannot replace (" + ec.message() + ")");
  }
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  try {
    sync_to_disk(folder, true);  // the rename itself
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": written, but its folder could not be synced to disk (" + std::string(e.what()) +
                             "); it may not survive a power cut");
  }
}

void write_file_atomically(const std::string& path, std::string_view bytes) {
  write_atomically(path, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      const fs::path folder = fs::path(tmp).parent_path();
      throw std::runtime_error(!folder.empty() && !fs::is_directory(folder) ? "no folder " + folder.string()
                                                                            : std::strerror(errno));
    }
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw std::runtime_error("write failed (disk full?)");
  });
}

}  // namespace moodtune
