// library_scan.h — fill the catalog from a folder of audio files: tags from
// TagLib, samples from FFmpeg, features and a mood estimate from
// audio/audio_features.h.
//
//   moodtune::Catalog cat("moodtune.db");
//   moodtune::LibraryScanParams p;            // all cores, skip unchanged files
//   auto r = moodtune::scan_library(cat, "/home/ana/Music", p);
//   for (auto& e : r.errors) std::cerr << e.path << ": " << e.message << "\n";
//
// Each file is committed in its own transaction once analysed, so an
// interrupted scan keeps what it finished and a rerun does the rest. A file
// is skipped when its size, modification time and the analysis version are
// what the catalog recorded. Corrupt or unsupported files are listed in
// `errors` and do not stop the scan. Analysis runs on `threads` workers;
// only the calling thread touches the Catalog.
#pragma once
#include <string>
#include <vector>

#include "music/catalog.h"

namespace moodtune {

// Bump when the analysis or the mood formula changes, so rescans redo files.
constexpr int kAudioAnalysisVersion = 1;

struct LibraryScanParams {
  int threads = 0;       // 0: one per core
  bool force = false;    // re-analyse unchanged files too
  bool progress = true;  // progress bar on stderr
};

struct LibraryScanIssue {
  std::string path, message;
};

struct LibraryScanResult {
  int found = 0, analysed = 0, unchanged = 0, failed = 0;
  double audio_seconds = 0;     // audio analysed in this scan
  double analysis_seconds = 0;  // summed over workers (CPU-ish time)
  double wall_seconds = 0;
  std::vector<LibraryScanIssue> errors;
  double realtime_factor_per_core() const { return analysis_seconds > 0 ? audio_seconds / analysis_seconds : 0; }
};

// Audio files under `dir` (recursively; ogg, oga, opus, mp3, flac, wav, m4a,
// aac), absolute paths, sorted. Throws std::runtime_error if dir is not a folder.
std::vector<std::string> find_audio_files(const std::string& dir);

LibraryScanResult scan_library(Catalog& catalog, const std::string& dir, const LibraryScanParams& params = {});

}  // namespace moodtune
