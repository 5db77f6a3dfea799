// music_bench.h — `moodtune bench music`: catalog import speed,
// recommendation and feedback latency on the shared 32k-track catalog
// (SQLite, and PostgreSQL side by side when given), and the recommender's
// quality checks (mood agreement, the simulated skipper).
//
//   moodtune::MusicBenchParams p;  p.shared = "../shared/data";
//   nlohmann::json r = moodtune::bench_music(p);
//   double ms = r["recommend"]["match"]["median_ms"];
//
// Works in a fresh temporary folder it removes afterwards.
#pragma once
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace moodtune {

struct MusicBenchParams {
  std::string shared;         // the shared data folder (catalog/spotify_songs.csv, catalog/data_moods.csv)
  int reps = 200;             // recommendations per strategy
  std::string postgres;       // postgresql:// URL of a SCRATCH database (emptied), or "": SQLite only
  std::FILE* table = stdout;  // where the table is printed as it goes; nullptr: nowhere
};

// Throws std::invalid_argument for a `postgres` that is not a postgresql://
// URL, and what importing or the stores throw.
nlohmann::json bench_music(const MusicBenchParams& p);

}  // namespace moodtune
