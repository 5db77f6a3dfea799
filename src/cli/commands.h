// commands.h — the subcommands of the `moodtune` binary. Each add_* function
// registers one CLI11 subcommand whose callback stores its exit status in
// `exit_code`: 0 all good, 1 some inputs failed (the rest were processed),
// 2 usage or set-up error (nothing useful done).
#pragma once
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <iostream>
#include <memory>
#include <opencv2/core.hpp>

#include "common/emotions.h"
#include "music/catalog.h"
#include "vision/face_detector.h"
#include "vision/pipeline.h"

namespace moodtune::cli {

void add_train_command(CLI::App& app, int& exit_code);
void add_detect_command(CLI::App& app, int& exit_code);
void add_watch_command(CLI::App& app, int& exit_code);
void add_evaluate_command(CLI::App& app, int& exit_code);
void add_bench_command(CLI::App& app, int& exit_code);
void add_data_command(CLI::App& app, int& exit_code);
void add_catalog_command(CLI::App& app, int& exit_code);
void add_recommend_command(CLI::App& app, int& exit_code);
void add_feedback_command(CLI::App& app, int& exit_code);
void add_library_command(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);
void add_playlist_command(CLI::App& app, int& exit_code);
void add_history_command(CLI::App& app, int& exit_code);
void add_explain_command(CLI::App& app, int& exit_code);
void add_quantize_command(CLI::App& app, int& exit_code);
void add_rebalance_command(CLI::App& app, int& exit_code);

// The FER2013 folder (given, $MOODTUNE_FER_DIR, or the cache of
// scripts/fer2013.sh), and JSON output: written whole or not at all
// (nothing when path is empty).
std::string fer_root(const std::string& given);
void write_json(const std::string& path, const nlohmann::json& j);

// $MOODTUNE_DB, else $XDG_DATA_HOME/moodtune/moodtune.db (~/.local/share/...).
std::string default_db_path();
inline constexpr const char* kDbHelp = "Catalog: a SQLite file, or a postgresql://user@host:port/db URL";
// Opens and migrates the catalog at path: a SQLite file (its folder is
// created) or a postgresql:// URL.
std::unique_ptr<Catalog> open_catalog(const std::string& path);

// Runs f, storing its exit status; an exception becomes "error: ..." and 2.
template <typename F>
void guarded(int& exit_code, F&& f) {
  try {
    exit_code = f();
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    exit_code = 2;
  }
}

// The per-image loop of `detect` and `explain`: runs each(path, entry) for
// every image; one that throws is reported (in its entry and on stderr) and
// the rest go on. Prints `out` with its "images" when `json`; returns the
// exit status: 1 when some images failed.
template <typename F>
int for_each_image(const std::vector<std::string>& images, bool json, nlohmann::json out, F&& each) {
  out["images"] = nlohmann::json::array();
  int failed = 0;
  for (const std::string& path : images) {
    nlohmann::json entry = {{"image", path}};
    try {
      each(path, entry);
    } catch (const std::exception& e) {
      ++failed;
      entry["error"] = e.what();
      std::cerr << "error: " << e.what() << "\n";
    }
    out["images"].push_back(std::move(entry));
  }
  if (json) std::cout << out.dump(2) << "\n";
  if (failed > 0) std::cerr << failed << " of " << images.size() << " images failed\n";
  return failed > 0 ? 1 : 0;
}

// Parses argv and runs the chosen subcommand; returns the process exit
// status: a usage error (unknown option, malformed value) prints CLI11's
// message and returns 2, as does a set-up error ("error: ..."); --help 0.
int run_app(CLI::App& app, int argc, char** argv, const int& exit_code);

// --detector, --min-face, --max-side, --scale-factor, --min-neighbors, --cascade.
void add_detector_options(CLI::App* cmd, DetectorParams& p);
// --baseline IMAGE|DIR: photos of the person looking relaxed (calibration.h).
void add_baseline_option(CLI::App* cmd, std::string& path);
// Makes the baseline at `path` with `pipe` and sets it there (nothing when
// path is empty); returns how many photos it used. Throws with the message
// of baseline_from_images.
int apply_baseline(EmotionPipeline& pipe, const std::string& path);

// Where the shipped model and the page are: $MOODTUNE_DATA_DIR, else found
// from the binary's own location (a build tree, or PREFIX/share/moodtune
// when installed); empty when neither holds them.
std::string data_dir();
// The shipped model: $MOODTUNE_MODEL, else models/default.mtm in data_dir().
std::string default_model_path();
// The project's shared data (FER2013, catalogs): $MOODTUNE_SHARED_DIR, else
// ../shared/data beside data_dir() (a development checkout).
std::string default_shared_dir();
// The page's files: $MOODTUNE_WEB_DIR, else web/ in data_dir().
std::string default_web_dir();
// Help for every --model option that loads a classifier.
inline constexpr const char* kModelOptionHelp =
    "Model file, or several separated by commas: an ensemble averaging their probabilities";

using moodtune::probs_json;
// "happy 0.81 | angry 0.01 disgust 0.00 ..." for terminals.
std::string probs_text(const std::vector<float>& probs, const std::vector<std::string>& classes);

}  // namespace moodtune::cli
