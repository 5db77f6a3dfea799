#include "kit/server_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace moodtune::kit {
namespace fs = std::filesystem;

namespace {
std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int status_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }
}  // namespace

pid_t spawn_process(const std::string& binary, std::vector<std::string> args, const fs::path& out, const fs::path& err,
                    const fs::path& cwd) {
  const pid_t pid = fork();
  if (pid == 0) {
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
    if (!freopen(out.c_str(), "w", stdout) || !freopen(err.c_str(), "w", stderr)) _exit(127);
    args.insert(args.begin(), binary);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  if (pid < 0) throw std::runtime_error("cannot start " + binary + ": fork failed");
  return pid;
}

double rss_mb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

std::string sibling_binary(const std::string& name) {
  return (fs::read_symlink("/proc/self/exe").parent_path() / name).string();
}

ServerProcess::ServerProcess(std::string binary, const fs::path& dir, const std::vector<std::string>& args) {
  out_ = dir / "serve.out";
  err_ = dir / "serve.err";
  // A previous server's output in the same folder must not be read as ours.
  fs::remove(out_);
  fs::remove(err_);
  std::vector<std::string> all = {"serve", "--port", "0"};
  all.insert(all.end(), args.begin(), args.end());
  pid_ = spawn_process(binary, all, out_, err_, dir);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  const std::regex re(R"(http://[^/\s]+:(\d+)/)");
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    const std::string out = slurp(out_);
    if (std::regex_search(out, m, re)) {
      port_ = std::stoi(m[1]);
      return;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = status_code(status);
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string ServerProcess::stderr_text() const { return slurp(err_); }

int ServerProcess::stop(int sig) {
  if (pid_ <= 0) return exit_code_;
  kill(pid_, sig);
  for (int i = 0; i < 200; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = status_code(status);
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

}  // namespace moodtune::kit
