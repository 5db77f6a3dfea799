#include "server/api_json.h"

#include <cmath>

#include "common/emotions.h"
#include "vision/emotion_classifier.h"

namespace moodtune {

nlohmann::json quality_json(const FaceQuality& q) {
  auto round2 = [](double v) { return std::round(v * 100) / 100; };
  return {{"ok", q.ok()},
          {"issues", q.issues()},
          {"hint", q.hint()},
          {"brightness", round2(q.brightness)},
          {"contrast", round2(q.contrast)},
          {"sharpness", std::round(q.sharpness * 1000) / 1000}};
}

nlohmann::json face_json(const FaceTrack& t, const std::vector<std::string>& classes) {
  int top = top_class(t.smoothed), raw_top = top_class(t.probs);
  return {{"track", t.id},
          {"box", {{"x", t.box.x}, {"y", t.box.y}, {"w", t.box.width}, {"h", t.box.height}}},
          {"quality", quality_json(t.quality)},
          {"emotion", top >= 0 ? classes[static_cast<size_t>(top)] : ""},
          {"probs", probs_json(t.smoothed, classes)},
          {"raw",
           {{"emotion", raw_top >= 0 ? classes[static_cast<size_t>(raw_top)] : ""},
            {"probs", probs_json(t.probs, classes)}}}};
}

nlohmann::json mood_json(const std::vector<float>& probs, const std::string& source,
                         const std::vector<std::string>& classes) {
  nlohmann::json j = {{"source", source}};
  if (probs.empty()) {
    j["emotion"] = nullptr;
    return j;
  }
  j["emotion"] = classes[static_cast<size_t>(top_class(probs))];
  j["probs"] = probs_json(probs, classes);
  VA va = mood_from_probs(probs, classes);
  j["valence"] = std::round(va.valence * 1000) / 1000;
  j["arousal"] = std::round(va.arousal * 1000) / 1000;
  return j;
}

nlohmann::json recommendation_json(const Recommendation& r) {
  const Track& t = r.track;
  nlohmann::json j = {{"id", t.id},
                      {"title", t.title},
                      {"artist", t.artist},
                      {"album", t.album},
                      {"source", t.source},
                      {"genres", t.genres},
                      {"duration_ms", t.duration_ms},
                      {"reason", r.reason},
                      {"valence", std::round(r.va.valence * 1000) / 1000},
                      {"arousal", std::round(r.va.arousal * 1000) / 1000},
                      {"score", std::round(r.score * 1000) / 1000}};
  if (t.source == "local") {
    j["play"] = {{"type", "audio"}, {"url", "/api/tracks/" + std::to_string(t.id) + "/audio"}};
  } else {
    j["play"] = {{"type", "spotify"}, {"url", "https://open.spotify.com/embed/track/" + t.external_id}};
  }
  return j;
}

nlohmann::json mood_history_json(const MoodHistoryReport& r) {
  auto round3 = [](double v) { return std::round(v * 1000) / 1000; };
  nlohmann::json days = nlohmann::json::array();
  for (const MoodDay& d : r.days) {
    nlohmann::json shares;
    for (int i = 0; i < kNumEmotions; ++i) shares[emotion_name(i)] = round3(d.share[static_cast<size_t>(i)]);
    days.push_back({{"day", d.day},
                    {"samples", d.samples},
                    {"emotion", emotion_name(d.top())},
                    {"shares", shares},
                    {"valence", round3(d.valence)},
                    {"arousal", round3(d.arousal)}});
  }
  nlohmann::json by_mood = nlohmann::json::object();
  for (const MoodFeedback& f : r.by_mood)
    by_mood[f.mood].push_back({{"id", f.track.id},
                               {"title", f.track.title},
                               {"artist", f.track.artist},
                               {"source", f.track.source},
                               {"likes", f.likes},
                               {"skips", f.skips}});
  return {{"keep", r.keep}, {"days", days}, {"by_mood", by_mood}};
}

}  // namespace moodtune
