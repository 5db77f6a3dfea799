// server_process.h — the test suite's handle on the real binary: the kit's
// launcher (bench/kit/server_process.h) bound to the moodtune under test.
#pragma once
#include <arpa/inet.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <regex>
#include <thread>

#include <opencv2/imgcodecs.hpp>

#include "../test_support.h"
#include "kit/server_process.h"
#include "vision/test_frame.h"

namespace moodtune::test {

// Starts `moodtune ARGS` with stdout and stderr sent to the given files.
inline pid_t spawn_moodtune(std::vector<std::string> args, const std::filesystem::path& out = "/dev/null",
                            const std::filesystem::path& err = "/dev/null", const std::filesystem::path& cwd = {}) {
  return kit::spawn_process(MOODTUNE_BINARY, std::move(args), out, err, cwd);
}

// `moodtune serve --port 0 ARGS` in `dir`; stopped with SIGTERM.
class ServerProcess : public kit::ServerProcess {
 public:
  ServerProcess(const std::filesystem::path& dir, const std::vector<std::string>& args)
      : kit::ServerProcess(MOODTUNE_BINARY, dir, args) {}
};

// A TCP connection to 127.0.0.1:port from `source` (another loopback
// address, e.g. 127.0.0.2, plays a second client machine); -1 on failure.
inline int connect_from(const char* source, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  inet_pton(AF_INET, source, &src.sin_addr);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0 ||
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Reads what comes back on fd until the peer closes or `timeout` passes
// without data.
inline std::string read_all(int fd, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  return out;
}

// A 640x480 JPEG with one real FER2013 validation face of this class (the
// first by file name).
inline std::string face_jpeg(const std::string& cls) {
  cv::Mat face = cv::imread(fer_files("val", cls, 1).at(0), cv::IMREAD_GRAYSCALE);
  std::vector<uchar> buf;
  cv::imencode(".jpg", compose_frame({face}).image, buf);
  return std::string(buf.begin(), buf.end());
}

// A catalog at dir/NAME whose library is a few tracks of Debian's Wesnoth
// soundtrack copied to dir/music and scanned; returns the catalog's path
// (empty, with a test failure, when the scan fails).
inline std::string scanned_library(const std::filesystem::path& dir, const std::vector<std::string>& files,
                                   const std::string& name) {
  const std::filesystem::path wesnoth = "/usr/share/games/wesnoth/1.16/data/core/music";
  std::filesystem::create_directories(dir / "music");
  for (const auto& f : files) std::filesystem::copy_file(wesnoth / f, dir / "music" / f);
  const std::string db = (dir / name).string();
  auto r = run_moodtune("library scan " + (dir / "music").string() + " --db " + db);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? db : "";
}

// A suite sharing one `moodtune serve` over a scanned two-track library
// (per suite: CRTP keeps each suite's server apart). SetUpTestSuite calls
// start(name, extra serve options).
template <class Suite>
class SharedServerSuite : public ::testing::Test {
 protected:
  static void start(const std::string& name, const std::vector<std::string>& extra) {
    dir_ = new std::filesystem::path(temp_dir(name));
    db_ = new std::string(scanned_library(*dir_, {"sad.ogg", "victory.ogg"}, name + ".db"));
    ASSERT_FALSE(db_->empty());
    std::vector<std::string> args = {"--db", *db_};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = new ServerProcess(*dir_, args);
    ASSERT_TRUE(server_->running()) << server_->stderr_text();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete db_;
    delete dir_;
    server_ = nullptr;
    db_ = nullptr;
    dir_ = nullptr;
  }
  static httplib::Client client() {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(10);
    return c;
  }
  static inline std::filesystem::path* dir_ = nullptr;
  static inline std::string* db_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
};

// Sends `request` as is to 127.0.0.1:port and returns what comes back until
// the server closes or `timeout` passes without data (for requests an HTTP
// client library would not send: bad Hosts, chunked floods, odd ranges).
inline std::string raw_http(int port, const std::string& request,
                            std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    (void)!send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    char buf[4096];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

}  // namespace moodtune::test
