// Files written whole or not at all: the one writer behind models,
// checkpoints, reports, pictures and every --json output.
#include <dlfcn.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <opencv2/core.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

#include "../test_support.h"
#include "common/atomic_file.h"
#include "vision/image_io.h"

using namespace moodtune;
namespace fs = std::filesystem;

namespace {
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
size_t entries(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

// What fsync saw, for the durability tests: a power cut cannot be staged in
// a unit test, but the calls that guard against it can be watched. This
// binary's fsync stands in front of libc's (an executable's symbols come
// first), records the path behind each descriptor while a test listens, and
// can fail the calls on paths that end with a given text.
struct FsyncSpy {
  std::mutex m;
  bool listening = false;
  std::vector<std::string> paths;
  std::string fail_if_ends_with;
  int fail_errno = 0;
};
FsyncSpy& spy() {
  static FsyncSpy s;
  return s;
}
}  // namespace

extern "C" int fsync(int fd) {
  using fsync_fn = int (*)(int);
  static const auto real = reinterpret_cast<fsync_fn>(::dlsym(RTLD_NEXT, "fsync"));
  FsyncSpy& s = spy();
  std::lock_guard<std::mutex> lock(s.m);
  if (s.listening) {
    char buf[4096];
    const ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), buf, sizeof buf);
    const std::string path(buf, n > 0 ? static_cast<size_t>(n) : 0);
    s.paths.push_back(path);
    if (s.fail_errno != 0 && path.ends_with(s.fail_if_ends_with)) {
      errno = s.fail_errno;
      return -1;
    }
  }
  return real(fd);
}

namespace {
// Listens for the lifetime of the object.
struct ListenToFsync {
  explicit ListenToFsync(std::string fail_if_ends_with = {}, int fail_errno = 0) {
    std::lock_guard<std::mutex> lock(spy().m);
    spy().paths.clear();
    spy().listening = true;
    spy().fail_if_ends_with = std::move(fail_if_ends_with);
    spy().fail_errno = fail_errno;
  }
  ~ListenToFsync() {
    std::lock_guard<std::mutex> lock(spy().m);
    spy().listening = false;
  }
  std::vector<std::string> paths() {
    std::lock_guard<std::mutex> lock(spy().m);
    return spy().paths;
  }
};
}  // namespace

TEST(AtomicFile, WritesAndReplacesWholeFiles) {
  const fs::path dir = test::temp_dir("atomic-write");
  const fs::path f = dir / "a.json";
  write_file_atomically(f.string(), "first");
  EXPECT_EQ(slurp(f), "first");
  write_file_atomically(f.string(), std::string(1 << 20, 'x'));
  EXPECT_EQ(slurp(f).size(), 1u << 20);
  write_file_atomically(f.string(), "");
  EXPECT_EQ(slurp(f), "");
  EXPECT_EQ(entries(dir), 1u) << "no temporary file is left beside it";
}

TEST(AtomicFile, AFailedWriteLeavesTheOldFileAndNoLitter) {
  const fs::path dir = test::temp_dir("atomic-fail");
  const fs::path f = dir / "model.mtm";
  write_file_atomically(f.string(), "old");
  std::string seen_tmp;
  try {
    write_atomically(f.string(), [&](const std::string& tmp) {
      seen_tmp = tmp;
      std::ofstream(tmp) << "half";
      throw std::runtime_error("disk full");
    });
    FAIL() << "the writer's error was swallowed";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(f.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("disk full"), std::string::npos) << e.what();
  }
  EXPECT_EQ(slurp(f), "old");
  EXPECT_EQ(entries(dir), 1u);
  // The temporary file is in the same folder (so the rename is atomic) and
  // keeps the extension (cv::imwrite picks the format by it).
  EXPECT_EQ(fs::path(seen_tmp).parent_path(), dir);
  EXPECT_EQ(fs::path(seen_tmp).extension(), ".mtm");
}

TEST(AtomicFile, AMissingFolderOrADirectoryInTheWayIsAClearError) {
  const fs::path dir = test::temp_dir("atomic-errors");
  try {
    write_file_atomically((dir / "no-such-folder" / "x.json").string(), "{}");
    FAIL() << "wrote into a folder that does not exist";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no folder"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "no-such-folder"));
  fs::create_directories(dir / "taken" / "inside");
  EXPECT_THROW(write_file_atomically((dir / "taken").string(), "x"), std::runtime_error);
  EXPECT_TRUE(fs::is_directory(dir / "taken" / "inside"));
  EXPECT_EQ(entries(dir), 1u);
  EXPECT_THROW(write_file_atomically("", "x"), std::runtime_error);
}

TEST(AtomicFile, ConcurrentWritersOfOneFileEachLandWhole) {
  const fs::path dir = test::temp_dir("atomic-race");
  const fs::path f = dir / "shared.txt";
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t)
    writers.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) write_file_atomically(f.string(), std::string(4096 + t, static_cast<char>('a' + t)));
    });
  for (auto& w : writers) w.join();
  const std::string got = slurp(f);
  ASSERT_GE(got.size(), 4096u);
  const int t = static_cast<int>(got.size()) - 4096;
  EXPECT_EQ(got, std::string(got.size(), static_cast<char>('a' + t))) << "a mix of two writers' bytes";
  EXPECT_EQ(entries(dir), 1u);
}

// Without fsync a power cut or kernel crash can leave the new name on disk
// before its data: an empty model or checkpoint where a whole one was.
TEST(AtomicFile, TheFileIsOnDiskBeforeTheRenameAndTheRenameAfter) {
  const fs::path dir = test::temp_dir("atomic-sync");
  const fs::path f = dir / "state.json";
  ListenToFsync listen;
  write_file_atomically(f.string(), "{}");
  const std::vector<std::string> synced = listen.paths();
  ASSERT_EQ(synced.size(), 2u) << "the temporary file, then the folder";
  EXPECT_EQ(fs::path(synced[0]).parent_path(), dir);
  EXPECT_NE(synced[0].find(".state.tmp-"), std::string::npos) << synced[0] << ": synced after the rename";
  EXPECT_EQ(fs::path(synced[1]), dir);
  EXPECT_EQ(slurp(f), "{}");
}

TEST(AtomicFile, AFailedSyncIsAFailedWriteAndTheOldFileStays) {
  const fs::path dir = test::temp_dir("atomic-sync-fail");
  const fs::path f = dir / "model.mtm";
  write_file_atomically(f.string(), "old");
  {
    ListenToFsync listen(".mtm", EIO);  // a late I/O error on the new (temporary) file
    try {
      write_file_atomically(f.string(), "new");
      FAIL() << "an fsync error was ignored";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(f.string()), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(std::strerror(EIO)), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(slurp(f), "old");
  EXPECT_EQ(entries(dir), 1u) << "the unsynced temporary file is removed";
  {
    // A file system that cannot sync folders is not a failed write; one
    // that fails to is, and says the file may not survive a power cut.
    ListenToFsync listen("/" + dir.filename().string(), EINVAL);
    EXPECT_NO_THROW(write_file_atomically((dir / "x.json").string(), "1"));
  }
  {
    ListenToFsync listen("/" + dir.filename().string(), EIO);
    try {
      write_file_atomically((dir / "y.json").string(), "2");
      FAIL() << "a failed folder sync was ignored";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("power cut"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(slurp(dir / "y.json"), "2") << "the rename itself happened";
}

// `--json /dev/null` once replaced the device with a regular file (renamed
// over it); a FIFO stands in for the device here so a regression cannot
// break the machine's /dev/null.
TEST(AtomicFile, APipeIsWrittenInPlaceNotReplaced) {
  const fs::path dir = test::temp_dir("atomic-fifo");
  const fs::path fifo = dir / "out.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);  // so the writer's open does not block
  ASSERT_GE(reader, 0) << std::strerror(errno);
  write_file_atomically(fifo.string(), "{\"n\": 1}");
  char buf[64] = {};
  const ssize_t got = ::read(reader, buf, sizeof buf - 1);
  ::close(reader);
  EXPECT_EQ(std::string(buf, got > 0 ? static_cast<size_t>(got) : 0), "{\"n\": 1}");
  EXPECT_TRUE(fs::is_fifo(fifo)) << "the pipe was replaced by a regular file";
  EXPECT_EQ(entries(dir), 1u);
}

TEST(AtomicFile, WriteImageEncodesByExtensionAndRefusesUnknownOnes) {
  const fs::path dir = test::temp_dir("atomic-image");
  const cv::Mat img(20, 30, CV_8UC3, cv::Scalar(10, 200, 30));
  write_image((dir / "a.png").string(), img);
  const cv::Mat back = read_image((dir / "a.png").string());
  ASSERT_EQ(back.size(), img.size());
  EXPECT_EQ(cv::norm(back, img, cv::NORM_INF), 0.0) << "PNG is lossless";
  EXPECT_THROW(write_image((dir / "a.notanimage").string(), img), ImageError);
  EXPECT_THROW(write_image((dir / "b.png").string(), cv::Mat()), ImageError);
  EXPECT_EQ(entries(dir), 1u);
}
