// recommender.h — mood-aware track lists from the catalog.
//
//   moodtune::Catalog cat("moodtune.db");
//   moodtune::Recommender rec(cat);                       // snapshot of the tracks
//   moodtune::RecommendParams rp;  rp.strategy = moodtune::Strategy::kUplift;  rp.listener = "ana";
//   auto list = rec.recommend(moodtune::mood_from_probs(probs, classes), rp);
//   for (auto& r : list) std::cout << r.track.title << " — " << r.reason << "\n";
//
// Strategies: match (mirror the mood), uplift (the iso principle of music
// therapy: start at the listener's mood and move step by step toward a calm,
// positive target), calm. Ranking = closeness in valence/arousal + learned
// genre/artist/track preferences (likes pull, skips push) + a little
// popularity, with variety rules (at most max_per_artist per list, one
// version of a song: remixes and re-releases collapse) and no tracks from
// the listener's recent history.
//
// Two ways to use it. One thread with one Catalog: Recommender (keeps a
// snapshot fresh and reads the listener's profile through that Catalog).
// Many threads: a TrackIndexCache shared by all, each request borrowing a
// connection (CatalogPool) for the version check and the profile, then
// ranking on the immutable TrackIndex with no lock held:
//
//   auto cat = pool.acquire();
//   auto index = cache.get(*cat);
//   auto who = cat->listener_profile("ana", rp.recent_window);
//   auto list = index->rank(mood, rp, who);
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "music/mood.h"
#include "music/preferences.h"
#include "music/track.h"

namespace moodtune {

class Catalog;

enum class Strategy { kMatch, kUplift, kCalm };
std::optional<Strategy> parse_strategy(const std::string& s);
const char* strategy_name(Strategy s);

// Targets used by uplift and calm: "content" and "relaxed/calm" in the
// circumplex's pleasant, low-arousal quadrant.
inline constexpr VA kUpliftGoal{0.60, -0.15};
inline constexpr VA kCalmTarget{0.45, -0.55};

// What a neutral face gets under `match` (a product decision, docs/music.md):
// a neutral face says little about the mood, so not the dead centre of the
// plane (where, in Spotify's features, unsure and sad songs crowd) but the
// listener's own taste: the mean position of the tracks they liked, pulled
// toward this easy-going point (mildly pleasant, medium energy) while they
// have liked few tracks (weight likes / (likes + 3)).
inline constexpr VA kNeutralEasyGoing{0.35, 0.0};
VA neutral_target(const std::vector<VA>& liked);

// Per-position targets for a strategy (uplift moves from mood to the goal).
std::vector<VA> strategy_targets(VA mood, Strategy s, int n);

struct RecommendParams {
  Strategy strategy = Strategy::kMatch;
  int n = 10;
  std::string listener;   // empty = anonymous (no preferences, no history)
  std::string mood_name;  // for reasons, e.g. "sad"; empty = derived from the VA point
  int max_per_artist = 2;
  int recent_window = 50;  // history entries whose tracks are not repeated
};

struct Recommendation {
  Track track;
  VA va;      // the track's position
  VA target;  // the point it was chosen for
  double score = 0;
  std::string reason;
};

// An immutable snapshot of the catalog's tracks that have a mood estimate,
// ready for ranking. rank() is const: safe from many threads at once.
class TrackIndex {
 public:
  TrackIndex(std::vector<Track> tracks, int64_t catalog_version);
  // Throws std::invalid_argument for a list length outside 1..100 and
  // std::runtime_error when no track can be placed.
  std::vector<Recommendation> rank(VA mood, const RecommendParams& p, const ListenerProfile& who) const;
  int64_t catalog_version() const { return version_; }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    size_t track;  // index into tracks_
    VA va;
    int artist;               // id into artists_
    std::vector<int> genres;  // ids into genres_
    std::string song_key;     // artist + normalised title
    double popularity;
  };
  int64_t version_;
  std::vector<Track> tracks_;
  std::vector<Entry> entries_;
  std::vector<std::string> genres_, artists_;
  std::unordered_map<std::string, int> genre_id_, artist_id_;
  std::unordered_map<int64_t, size_t> entry_of_;  // track id -> entries_ index
};

// The current TrackIndex for a catalog, rebuilt when the catalog's version
// moves (one caller rebuilds while the others wait; otherwise get() costs
// one small query and a pointer copy). Thread-safe.
class TrackIndexCache {
 public:
  std::shared_ptr<const TrackIndex> get(Catalog& catalog);

 private:
  std::mutex mu_;
  std::shared_ptr<const TrackIndex> index_;
};

// One thread, one Catalog: the index kept fresh plus the listener's profile.
// Not thread-safe: one Recommender per thread (it borrows the Catalog).
class Recommender {
 public:
  explicit Recommender(Catalog& catalog);
  std::vector<Recommendation> recommend(VA mood, const RecommendParams& p);
  size_t size() const { return index_->size(); }

 private:
  Catalog& catalog_;
  TrackIndexCache cache_;
  std::shared_ptr<const TrackIndex> index_;
};

// "Song Title - 2019 Remaster (feat. X)" -> "song title"
std::string normalise_title(const std::string& title);

}  // namespace moodtune
