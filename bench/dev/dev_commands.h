// dev_commands.h — the subcommands of `moodtune-dev`, the development tool
// that measures the product from outside (it is not installed). Each add_*
// registers one CLI11 subcommand storing its exit status in `exit_code`.
#pragma once
#include <CLI/CLI.hpp>

#include "kit/sample_music.h"

namespace moodtune::dev {

inline constexpr const char* kDefaultMusicDir = kit::kWesnothMusic;

void add_serve_bench(CLI::App& app, int& exit_code);  // moodtune-dev serve
void add_all_bench(CLI::App& app, int& exit_code);    // moodtune-dev all
void add_fit_mood_map(CLI::App& app, int& exit_code);  // moodtune-dev fit-mood-map
void add_explain_deletion(CLI::App& app, int& exit_code);  // moodtune-dev explain-deletion
void add_face_quality_sweep(CLI::App& app, int& exit_code);  // moodtune-dev face-quality
void add_calibration_study(CLI::App& app, int& exit_code);    // moodtune-dev calibration
void add_alignment_study(CLI::App& app, int& exit_code);      // moodtune-dev alignment
void add_weight_average(CLI::App& app, int& exit_code);       // moodtune-dev average
void add_checkpoint_precision(CLI::App& app, int& exit_code);  // moodtune-dev checkpoint-precision

}  // namespace moodtune::dev
