// moodtune — recognise the emotion on a listener's face and pick music for it.
#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"moodtune: face emotion recognition and mood-aware music"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "moodtune 0.1.0");
  int exit_code = 0;
  namespace c = moodtune::cli;
  c::add_detect_command(app, exit_code);
  c::add_explain_command(app, exit_code);
  c::add_quantize_command(app, exit_code);
  c::add_rebalance_command(app, exit_code);
  c::add_watch_command(app, exit_code);
  c::add_train_command(app, exit_code);
  c::add_evaluate_command(app, exit_code);
  c::add_data_command(app, exit_code);
  c::add_catalog_command(app, exit_code);
  c::add_recommend_command(app, exit_code);
  c::add_playlist_command(app, exit_code);
  c::add_history_command(app, exit_code);
  c::add_feedback_command(app, exit_code);
  c::add_library_command(app, exit_code);
  c::add_serve_command(app, exit_code);
  c::add_bench_command(app, exit_code);
  return c::run_app(app, argc, argv, exit_code);
}
