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
// the listener's recent history. The snapshot is rebuilt when the catalog
// changes. Not thread-safe: one Recommender per thread (it owns no
// connection, but borrows the Catalog's).
#pragma once
#include <string>
#include <unordered_map>
#include <vector>

#include "music/mood.h"
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

class Recommender {
 public:
  explicit Recommender(Catalog& catalog);
  std::vector<Recommendation> recommend(VA mood, const RecommendParams& p);
  // Per-position targets for a strategy (uplift moves from mood to the goal).
  static std::vector<VA> targets(VA mood, Strategy s, int n);
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
  void refresh();
  Catalog& catalog_;
  int64_t version_ = -1;
  std::vector<Track> tracks_;
  std::vector<Entry> entries_;
  std::vector<std::string> genres_, artists_;
  std::unordered_map<std::string, int> genre_id_, artist_id_;
};

// "Song Title - 2019 Remaster (feat. X)" -> "song title"
std::string normalise_title(const std::string& title);

}  // namespace moodtune
