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
  const fs::path tmp = temporary_beside(target);
  std::error_code ec;
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
