#include "server/requests.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/emotions.h"

namespace moodtune {
using json = nlohmann::json;

namespace {
json parse_object(const std::string& body) {
  json j;
  try {
    j = json::parse(body);
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object()) throw std::invalid_argument("expected a JSON object");
  return j;
}
}  // namespace

bool valid_listener(const std::string& s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
}

FeedbackRequest parse_feedback_request(const std::string& body, const std::string& default_user) {
  json j = parse_object(body);
  if (!j.contains("track") || !j.contains("action"))
    throw std::invalid_argument(R"(send {"track": ID, "action": "like" | "skip" | "played"})");
  if (!j["track"].is_number_integer()) throw std::invalid_argument("track must be a track id (an integer)");
  FeedbackRequest r;
  r.track = j["track"].get<int64_t>();
  auto a = j["action"].is_string() ? parse_action(j["action"].get<std::string>()) : std::nullopt;
  if (!a) throw std::invalid_argument("action must be like, skip or played");
  r.action = *a;
  r.user = default_user;
  if (j.contains("user")) {
    if (!j["user"].is_string() || !valid_listener(j["user"].get<std::string>()))
      throw std::invalid_argument("user must be 1-64 letters, digits, - _ or .");
    r.user = j["user"].get<std::string>();
  }
  return r;
}

LoginRequest parse_login_request(const std::string& body) {
  json j = parse_object(body);
  LoginRequest r;
  if (j.contains("token")) {
    if (!j["token"].is_string()) throw std::invalid_argument("token must be a string");
    r.token = j["token"].get<std::string>();
  }
  if (j.contains("listener")) {
    if (!j["listener"].is_string() || !valid_listener(j["listener"].get<std::string>()))
      throw std::invalid_argument("listener must be 1-64 letters, digits, - _ or .");
    r.listener = j["listener"].get<std::string>();
  }
  return r;
}

HistoryRequest parse_history_request(const std::string& body, bool need_keep) {
  json j = parse_object(body);
  HistoryRequest r;
  if (j.contains("keep")) {
    if (!j["keep"].is_boolean()) throw std::invalid_argument("keep must be true or false");
    r.keep = j["keep"].get<bool>();
  } else if (need_keep) {
    throw std::invalid_argument(R"(send {"keep": true} to keep a mood history, {"keep": false} to stop)");
  }
  if (j.contains("user")) {
    if (!j["user"].is_string() || !valid_listener(j["user"].get<std::string>()))
      throw std::invalid_argument("user must be 1-64 letters, digits, - _ or .");
    r.user = j["user"].get<std::string>();
  }
  return r;
}

MoodRequest parse_mood_request(const std::string& body) {
  json j = parse_object(body);
  MoodRequest r;
  if (j.contains("probs")) {
    r.probs = probs_from_json(j["probs"]);
  } else if (j.contains("emotion") && j["emotion"].is_null()) {
    r.clear = true;
  } else if (j.contains("emotion") && j["emotion"].is_string()) {
    int idx = emotion_index(j["emotion"].get<std::string>());
    if (idx < 0) throw std::invalid_argument("unknown emotion '" + j["emotion"].get<std::string>() + "'");
    r.probs.assign(kNumEmotions, 0.0f);
    r.probs[static_cast<size_t>(idx)] = 1.0f;
  } else {
    throw std::invalid_argument(R"(send {"emotion": "sad"}, {"probs": {...}} or {"emotion": null})");
  }
  return r;
}

}  // namespace moodtune
