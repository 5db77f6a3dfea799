// server_process.h — the test suite's handle on the real binary: the kit's
// launcher (bench/kit/server_process.h) bound to the moodtune under test.
#pragma once
#include <signal.h>
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

}  // namespace moodtune::test
