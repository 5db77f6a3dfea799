// api_json.h — the JSON shapes of the HTTP API, shared by the frame
// endpoint, the server-side source stream and the recommendation endpoint.
//
//   nlohmann::json j = moodtune::face_json(track, classes);
//   // {"track": 1, "box": {"x","y","w","h"}, "emotion": "happy", "probs": {...}, "raw": {...}}
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "music/mood_history.h"
#include "music/recommender.h"
#include "vision/face_tracker.h"

namespace moodtune {

// {"ok", "issues", "hint", "brightness", "contrast", "sharpness"}
nlohmann::json quality_json(const FaceQuality& q);
// emotion/probs are the smoothed values (what a viewer should see); raw is
// this frame's classifier output.
nlohmann::json face_json(const FaceTrack& t, const std::vector<std::string>& classes);
// {"emotion", "probs", "valence", "arousal", "source"}; emotion is null when
// probs is empty.
nlohmann::json mood_json(const std::vector<float>& probs, const std::string& source,
                         const std::vector<std::string>& classes);
// A recommended track with how to play it: local files stream from
// /api/tracks/ID/audio, Spotify tracks through Spotify's embed player.
nlohmann::json recommendation_json(const Recommendation& r);
// {"keep", "days": [{"day", "samples", "emotion", "shares", "valence",
// "arousal"}], "by_mood": {"sad": [{"id", "title", "artist", "source",
// "likes", "skips"}], ...}}: the API's and `moodtune history --json`'s shape.
nlohmann::json mood_history_json(const MoodHistoryReport& r);

}  // namespace moodtune
