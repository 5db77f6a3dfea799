#include "common/atomic_file.h"

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
  } catch (const std::exception& e) {
    fs::remove(tmp, ec);
    throw std::runtime_error(path + ": cannot write (" + e.what() + ")");
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw std::runtime_error(path + ": cannot replace (" + ec.message() + ")");
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
