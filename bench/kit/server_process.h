// server_process.h — runs a real moodtune binary as a child process, for
// tests and the development benchmarks (one launcher for both).
//
//   moodtune::kit::ServerProcess srv("/path/to/moodtune", work_dir, {"--db", db, "--model", m});
//   if (srv.running()) httplib::Client c("127.0.0.1", srv.port());
//   int rc = srv.stop();                      // SIGTERM; the exit code, -1 if it had to be killed
//
// The server is started as `BINARY serve --port 0 ARGS...` and its port read
// from the address it prints. Not thread-safe: one owner per process.
#pragma once
#include <sys/types.h>

#include <csignal>

#include <filesystem>
#include <string>
#include <vector>

namespace moodtune::kit {

// Starts `binary ARGS` with stdout and stderr sent to the given files (in
// `cwd` when one is given); returns its pid.
pid_t spawn_process(const std::string& binary, std::vector<std::string> args,
                    const std::filesystem::path& out = "/dev/null", const std::filesystem::path& err = "/dev/null",
                    const std::filesystem::path& cwd = {});

// Resident memory of a process in MiB (0 when it is gone).
double rss_mb(pid_t pid);

// The `moodtune` beside the running executable (build/moodtune for
// build/moodtune-dev).
std::string sibling_binary(const std::string& name);

class ServerProcess {
 public:
  // Waits up to 60 s for the address line; running() says whether it came.
  ServerProcess(std::string binary, const std::filesystem::path& dir, const std::vector<std::string>& args);
  ~ServerProcess() { stop(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool running() const { return port_ > 0 && pid_ > 0; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string stderr_text() const;
  // Exit code after the signal (or of an early exit); -1 if it had to be killed.
  int stop(int sig = SIGTERM);
  int exit_code() const { return exit_code_; }

 private:
  std::filesystem::path out_, err_;
  pid_t pid_ = -1;
  int port_ = 0;
  int exit_code_ = -1;
};

}  // namespace moodtune::kit
