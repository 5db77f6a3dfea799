// commands.h — the subcommands of the `moodtune` binary. Each add_* function
// registers one CLI11 subcommand whose callback stores its exit status in
// `exit_code` (0 ok, 1 some input failed, 2 usage or setup error).
#pragma once
#include <CLI/CLI.hpp>
#include <string>

namespace moodtune::cli {

void add_train_command(CLI::App& app, int& exit_code);

// The shipped model, found next to the binary's source tree or installed copy.
std::string default_model_path();

}  // namespace moodtune::cli
