// requests.h — parsing and validation of the JSON request bodies of the
// HTTP API, kept apart from the server so they can be tested and fuzzed on
// their own.
//
//   auto fb = moodtune::parse_feedback_request(R"({"track": 7, "action": "like"})", "you");
//   auto mood = moodtune::parse_mood_request(R"({"emotion": "sad"})");
//
// Malformed input throws std::invalid_argument with a message for the
// client. Thread-safe (no state).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "music/track.h"

namespace moodtune {

// 1-64 letters, digits, '-', '_' or '.'.
bool valid_listener(const std::string& name);

struct FeedbackRequest {
  int64_t track = 0;
  FeedbackAction action = FeedbackAction::kPlayed;
  std::string user;
};
// {"track": ID, "action": "like" | "skip" | "played", "user"?: NAME}
FeedbackRequest parse_feedback_request(const std::string& body, const std::string& default_user);

struct LoginRequest {
  std::string token;
  std::string listener;  // empty = the server's default listener
};
// {"token": TOKEN, "listener"?: NAME}
LoginRequest parse_login_request(const std::string& body);

struct HistoryRequest {
  std::optional<bool> keep;  // consent: {"keep": true | false}
  std::string user;          // empty = the session's or the default listener
};
// {"keep"?: BOOL, "user"?: NAME}; `need_keep`: "keep" must be there.
HistoryRequest parse_history_request(const std::string& body, bool need_keep);

struct MoodRequest {
  bool clear = false;        // {"emotion": null}: back to the camera
  std::vector<float> probs;  // otherwise the manual mood (7 probabilities)
};
// {"emotion": "sad"}, {"probs": {...} or [...]}, or {"emotion": null}
MoodRequest parse_mood_request(const std::string& body);

}  // namespace moodtune
