#include "benchmarks/music_bench.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <random>

#include "benchmarks/bench_table.h"
#include "common/stats.h"
#include "music/catalog.h"
#include "music/csv_import.h"
#include "music/music_eval.h"
#include "music/recommender.h"
#include "storage/database.h"

namespace moodtune {
namespace fs = std::filesystem;
using namespace bench_detail;  // Clock, ms, table_row

namespace {
// Import speed (3 fresh imports of the 32,833-row catalog) and
// recommendation latency on one store; `fresh` gives a new empty location.
// Leaves the last imported catalog at the location it returns.
std::string bench_store(const std::string& label, const std::function<std::string()>& fresh, const std::string& songs,
                        int reps, std::FILE* table, nlohmann::json& out) {
  std::vector<double> import_s;
  std::string where;
  for (int i = 0; i < 3; ++i) {
    where = fresh();
    Catalog cat(where);
    auto t0 = Clock::now();
    ImportReport r = import_csv(cat, songs);
    import_s.push_back(ms(t0, Clock::now()) / 1000.0);
    out["import"]["tracks"] = r.inserted;
  }
  Summary is = summarise(import_s);
  out["import"]["seconds"] = is.to_json("_s");
  table_row(table, "%-10s import spotify_songs.csv   median %.2f s (min %.2f, max %.2f, n=%zu)\n", label.c_str(),
            is.median, is.min, is.max, is.n);
  // Recommendation latency on the 28k catalog, a listener with preferences.
  Catalog cat(where);
  for (int64_t id = 1; id <= 30; ++id)
    cat.record_feedback("bench", id * 97, id % 3 ? FeedbackAction::kLike : FeedbackAction::kSkip);
  Recommender rec(cat);
  std::mt19937 rng(7);
  for (Strategy st : {Strategy::kMatch, Strategy::kUplift, Strategy::kCalm}) {
    std::vector<double> lat;
    for (int i = 0; i < reps; ++i) {
      RecommendParams rp;
      rp.strategy = st;
      rp.listener = "bench";
      auto t0 = Clock::now();
      auto list = rec.recommend(kEmotionVA[rng() % kEmotionVA.size()], rp);
      lat.push_back(ms(t0, Clock::now()));
    }
    Summary s = summarise(lat);
    out["recommend"][strategy_name(st)] = s.to_json();
    table_row(table, "%-10s recommend 10 (%-6s)      median %.2f ms  p95 %.2f ms  (%zu tracks, n=%d)\n", label.c_str(),
              strategy_name(st), s.median, s.p95, rec.size(), reps);
  }
  // Feedback: one acknowledged like (a committed transaction) per call.
  std::vector<double> fb;
  for (int i = 0; i < std::min(reps, 200); ++i) {
    auto t0 = Clock::now();
    cat.record_feedback("bench-fb", 1 + i % 500, FeedbackAction::kLike);
    fb.push_back(ms(t0, Clock::now()));
  }
  Summary f = summarise(fb);
  out["feedback"] = f.to_json();
  table_row(table, "%-10s feedback (committed)       median %.2f ms  p95 %.2f ms\n", label.c_str(), f.median, f.p95);
  return where;
}

}  // namespace

nlohmann::json bench_music(const MusicBenchParams& p) {
  const std::string& shared = p.shared;
  const std::string& postgres = p.postgres;
  const int reps = p.reps;
  std::FILE* const table = p.table;
  const fs::path dir = fs::temp_directory_path() / ("moodtune-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string songs = shared + "/catalog/spotify_songs.csv", moods = shared + "/catalog/data_moods.csv";
  nlohmann::json out;
  const std::string sqlite_at = bench_store(
      "sqlite",
      [&] {
        fs::remove(dir / "songs.db");
        fs::remove(dir / "songs.db-wal");
        fs::remove(dir / "songs.db-shm");
        return (dir / "songs.db").string();
      },
      songs, reps, table, out);
  // The same benchmark on PostgreSQL, side by side: the given (scratch!)
  // database is emptied before each import (moodtune-dev all starts a
  // throwaway server for it).
  if (!postgres.empty()) {
    if (!is_postgres_url(postgres))
      throw std::invalid_argument("--postgres takes a postgresql:// URL of a scratch database");
    nlohmann::json pg;
    bench_store(
        "postgresql",
        [&] {
          open_database(postgres)->exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
          return postgres;
        },
        songs, reps, table, pg);
    pg["import"]["ratio_to_sqlite"] =
        pg["import"]["seconds"]["median_s"].get<double>() / out["import"]["seconds"]["median_s"].get<double>();
    pg["recommend"]["match"]["ratio_to_sqlite"] =
        pg["recommend"]["match"]["median_ms"].get<double>() / out["recommend"]["match"]["median_ms"].get<double>();
    pg["feedback"]["ratio_to_sqlite"] =
        pg["feedback"]["median_ms"].get<double>() / out["feedback"]["median_ms"].get<double>();
    out["postgresql"] = pg;
  }
  Catalog cat(sqlite_at);
  // Quality: mood agreement and the simulated skipper.
  {
    fs::remove(dir / "moods.db");
    Catalog mc((dir / "moods.db").string());
    import_csv(mc, moods);
    for (const auto& row : mood_agreement(mc, 10)) {
      out["mood_agreement"][row.emotion] = {{"share", row.share()}, {"fitting_labels", row.fitting_labels}};
      table_row(table, "mood agreement %-9s %.1f  (labels:", row.emotion.c_str(), row.share());
      for (const auto& l : row.fitting_labels) table_row(table, " %s", l.c_str());
      table_row(table, ")\n");
    }
  }
  SkipSimulation sim = simulate_genre_skipper(cat, "rock", 20);
  out["skipper"] = {{"genre", sim.genre},
                    {"skips", sim.skips},
                    {"share_before", sim.share_before},
                    {"share_after", sim.share_after},
                    {"bystander_unchanged", sim.other_unchanged}};
  table_row(table, "skipper: rock share %.3f -> %.3f after %d skips; bystander unchanged: %s\n", sim.share_before,
            sim.share_after, sim.skips, sim.other_unchanged ? "yes" : "no");
  fs::remove_all(dir);
  return out;
}

}  // namespace moodtune
