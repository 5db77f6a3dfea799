// moodtune-dev — development benchmarks that drive the real `moodtune`
// binary beside it: the web server under load (serve) and every benchmark
// in one run (all). Not part of the product.
#include <iostream>

#include "cli/commands.h"
#include "dev/dev_commands.h"

int main(int argc, char** argv) {
  CLI::App app{"moodtune-dev: benchmarks of the moodtune product, run from outside"};
  app.require_subcommand(1);
  int exit_code = 0;
  moodtune::dev::add_serve_bench(app, exit_code);
  moodtune::dev::add_all_bench(app, exit_code);
  moodtune::dev::add_fit_mood_map(app, exit_code);
  moodtune::dev::add_explain_deletion(app, exit_code);
  moodtune::dev::add_face_quality_sweep(app, exit_code);
  moodtune::dev::add_calibration_study(app, exit_code);
  moodtune::dev::add_alignment_study(app, exit_code);
  moodtune::dev::add_weight_average(app, exit_code);
  moodtune::dev::add_checkpoint_precision(app, exit_code);
  return moodtune::cli::run_app(app, argc, argv, exit_code);
}
