// server_process.h — the test suite's handle on the real binary: the kit's
// launcher (bench/kit/server_process.h) bound to the moodtune under test.
#pragma once
#include <arpa/inet.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <thread>

#include "../test_support.h"
#include "kit/server_process.h"

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
