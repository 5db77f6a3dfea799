// server_process.h — runs the real `moodtune serve` on a free port for a
// test and stops it with SIGTERM (checking that it exits cleanly).
#pragma once
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <thread>

#include "../test_support.h"

namespace moodtune::test {

// Starts `moodtune ARGS` as a child process with stdout and stderr sent to
// the given files (in `cwd` when one is given); returns its pid.
inline pid_t spawn_moodtune(std::vector<std::string> args, const std::filesystem::path& out = "/dev/null",
                            const std::filesystem::path& err = "/dev/null", const std::filesystem::path& cwd = {}) {
  pid_t pid = fork();
  if (pid == 0) {
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
    if (!freopen(out.c_str(), "w", stdout) || !freopen(err.c_str(), "w", stderr)) _exit(127);
    args.insert(args.begin(), MOODTUNE_BINARY);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(MOODTUNE_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

class ServerProcess {
 public:
  // args: extra options after `serve --port 0`.
  ServerProcess(const std::filesystem::path& dir, const std::vector<std::string>& args) : dir_(dir) {
    out_ = dir / "serve.out";
    err_ = dir / "serve.err";
    // A previous server's output in the same folder must not be read as ours.
    std::filesystem::remove(out_);
    std::filesystem::remove(err_);
    std::vector<std::string> all = {"serve", "--port", "0"};
    all.insert(all.end(), args.begin(), args.end());
    pid_ = spawn_moodtune(all, out_, err_, dir);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::regex re(R"(http://[\d.]+:(\d+)/)");
    while (std::chrono::steady_clock::now() < deadline) {
      std::smatch m;
      std::string out = slurp(out_);
      if (std::regex_search(out, m, re)) {
        port_ = std::stoi(m[1]);
        return;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~ServerProcess() { stop(); }

  bool running() const { return port_ > 0 && pid_ > 0; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string stderr_text() const { return slurp(err_); }
  // Exit code after SIGTERM (or of an early exit); -1 if it had to be killed.
  int stop(int sig = SIGTERM) {
    if (pid_ <= 0) return exit_code_;
    kill(pid_, sig);
    for (int i = 0; i < 200; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        pid_ = -1;
        return exit_code_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    return exit_code_ = -1;
  }
  int exit_code() const { return exit_code_; }

 private:
  std::filesystem::path dir_, out_, err_;
  pid_t pid_ = -1;
  int port_ = 0;
  int exit_code_ = -1;
};

}  // namespace moodtune::test
