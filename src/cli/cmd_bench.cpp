// moodtune bench: repeatable measurements with median and spread
// (src/benchmarks/). Each benchmark runs a warm-up, then N timed
// repetitions, in this process.
#include "benchmarks/music_bench.h"
#include "benchmarks/pipeline_bench.h"
#include "benchmarks/training_bench.h"
#include "cli/commands.h"

namespace moodtune::cli {

void add_bench_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("bench", "Measure speed (median and spread over repetitions)");
  cmd->require_subcommand(1);
  auto json = std::make_shared<std::string>();

  auto pp = std::make_shared<PipelineBenchParams>();
  pp->model = default_model_path();
  auto* pipe =
      cmd->add_subcommand("pipeline", "Per-stage and end-to-end time per 640x480 frame with one face, per detector");
  pipe->add_option("--model", pp->model, kModelOptionHelp)->capture_default_str();
  pipe->add_option("--image", pp->image, "Frame to use (default: a FER2013 val face in a 640x480 frame)");
  pipe->add_option("--fer", pp->fer, "FER2013 folder (default: the cache made by scripts/fer2013.sh)");
  pipe->add_option("--reps", pp->reps, "Timed repetitions per detector")->capture_default_str();
  pipe->add_option("--json", *json, "Write results as JSON");
  pipe->add_option("--compare", pp->compare,
                   "Also time classification alone by these models against --model, in the same run (repeatable)");
  add_detector_options(pipe, pp->detector);  // --detector is ignored: every detector is measured
  pipe->callback([pp, json, &exit_code] {
    guarded(exit_code, [&] {
      pp->fer = fer_root(pp->fer);
      write_json(*json, bench_pipeline(*pp));
      return 0;
    });
  });

  auto mp = std::make_shared<MusicBenchParams>();
  mp->shared = default_shared_dir();
  auto* mu =
      cmd->add_subcommand("music", "Catalog import speed, recommendation latency and quality on the shared catalogs");
  mu->add_option("--shared", mp->shared, "The shared data folder")->capture_default_str();
  mu->add_option("--reps", mp->reps, "Recommendations per strategy")->capture_default_str();
  mu->add_option("--json", *json, "Write results as JSON");
  mu->add_option("--postgres", mp->postgres,
                 "Also measure PostgreSQL, on the postgresql:// URL of a scratch database (it is emptied)");
  mu->callback([mp, json, &exit_code] {
    guarded(exit_code, [&] {
      write_json(*json, bench_music(*mp));
      return 0;
    });
  });

  auto tp = std::make_shared<TrainingBenchParams>();
  auto* tr = cmd->add_subcommand("train", "Training throughput per architecture, with and without augmentation");
  tr->add_option("--fer", tp->fer, "FER2013 folder (default: the cache made by scripts/fer2013.sh)");
  tr->add_option("--batches", tp->batches, "Timed batches per configuration")->capture_default_str();
  tr->add_option("--json", *json, "Write results as JSON");
  tr->callback([tp, json, &exit_code] {
    guarded(exit_code, [&] {
      tp->fer = fer_root(tp->fer);
      write_json(*json, bench_training(*tp));
      return 0;
    });
  });
}

}  // namespace moodtune::cli
