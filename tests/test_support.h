// test_support.h — helpers shared by the test suite: temporary folders, the
// shared FER2013 data, and running the real `moodtune` binary.
#pragma once
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace moodtune::test {

// Sets (or, given nullptr, unsets) one environment variable for a scope and
// puts the old value back. Not thread-safe: no other thread may read the
// environment meanwhile.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    set(value);
  }
  ~ScopedEnv() { set(old_ ? old_->c_str() : nullptr); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  void set(const char* value) {
    if (value) setenv(name_.c_str(), value, 1); else unsetenv(name_.c_str());
  }
  std::string name_;
  std::optional<std::string> old_;
};

inline std::filesystem::path temp_dir(const std::string& name) {
  auto base = std::filesystem::temp_directory_path() / ("moodtune-test-" + std::to_string(::getpid()));
  auto dir = base / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// FER2013 unpacked by scripts/fer2013.sh (CI runs it before the tests).
inline std::string fer_dir() {
  if (const char* env = std::getenv("MOODTUNE_FER_DIR"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.cache/moodtune/fer2013";
}

// Fails the calling test (rather than skipping it) when the data is absent:
// a suite that silently skips its real-data tests proves nothing.
#define MOODTUNE_REQUIRE_FER()                                                                      \
  do {                                                                                              \
    if (!std::filesystem::is_directory(moodtune::test::fer_dir() + "/val"))                         \
      FAIL() << "FER2013 not found at " << moodtune::test::fer_dir() << ": run scripts/fer2013.sh"; \
  } while (0)

// An image file as 8-bit gray (empty when it cannot be read).
inline cv::Mat gray_image(const std::string& path) { return cv::imread(path, cv::IMREAD_GRAYSCALE); }

inline std::string model_path() { return std::string(MOODTUNE_SOURCE_DIR) + "/models/default.mtm"; }

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `BINARY ARGS` (args are passed to the shell as written).
inline RunResult run_binary(const std::string& binary, const std::string& args) {
  static int counter = 0;
  auto dir = std::filesystem::temp_directory_path() / ("moodtune-run-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto out = dir / (std::to_string(++counter) + ".out"), err = dir / (std::to_string(counter) + ".err");
  std::string cmd = binary + " " + args + " >" + out.string() + " 2>" + err.string();
  int status = std::system(cmd.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}
inline RunResult run_moodtune(const std::string& args) { return run_binary(MOODTUNE_BINARY, args); }

// The first `n` files of FER2013 val/<cls>, sorted by name.
inline std::vector<std::string> fer_files(const std::string& split, const std::string& cls, size_t n) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(fer_dir() + "/" + split + "/" + cls))
    files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  if (files.size() > n) files.resize(n);
  return files;
}

// The first `n` FER2013 faces of each of `classes` in `split`, copied into
// dir/<class>/: a class-folder tree as `evaluate` and `train` read it.
inline void copy_fer_faces(const std::filesystem::path& dir, const std::vector<std::string>& classes, size_t n,
                           const std::string& split = "val") {
  for (const auto& cls : classes) {
    std::filesystem::create_directories(dir / cls);
    for (const auto& f : fer_files(split, cls, n))
      std::filesystem::copy_file(f, dir / cls / std::filesystem::path(f).filename());
  }
}

}  // namespace moodtune::test
