// track.h — what the catalog stores about a track, and a listener's
// feedback, as plain values: no database behind them, so the recommender,
// the service and the HTTP layer can use them without the storage stack.
//
//   moodtune::Track t;  t.title = "Song";  t.valence = 0.8;  t.energy = 0.6;
//   auto a = moodtune::parse_action("like");   // FeedbackAction::kLike
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace moodtune {

struct Track {
  int64_t id = 0;
  std::string source;       // "spotify" | "local"
  std::string external_id;  // Spotify id, or the file path for local tracks
  std::string title, artist, album;
  std::vector<std::string> genres;
  int64_t duration_ms = 0;
  int popularity = 0;
  std::optional<double> valence, energy, tempo, danceability, acousticness, instrumentalness, loudness, speechiness,
      liveness;
  std::optional<int> key, mode;
  std::string mood_label;                  // e.g. a source playlist's mood
  std::optional<double> valence_override;  // a listener's correction, in [-1, 1]; wins over the estimate
  std::optional<double> arousal_override;
};

enum class FeedbackAction { kLike, kSkip, kPlayed };
const char* action_name(FeedbackAction a);
std::optional<FeedbackAction> parse_action(const std::string& s);

struct HistoryEntry {
  int64_t track_id = 0;
  std::string action;  // like | skip | played
  std::string at;      // ISO 8601, UTC
};

}  // namespace moodtune
