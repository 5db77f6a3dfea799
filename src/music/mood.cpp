#include "music/mood.h"

#include <cmath>
#include <map>
#include <stdexcept>

namespace moodtune {

double va_distance(VA a, VA b) { return std::hypot(a.valence - b.valence, a.arousal - b.arousal); }

std::optional<VA> emotion_va(const std::string& e) {
  static const std::map<std::string, VA> kTable = {
      {"happy", {0.83, 0.53}},   {"sad", {-0.65, -0.27}}, {"angry", {-0.52, 0.58}}, {"fear", {-0.34, 0.64}},
      {"surprise", {0.16, 0.89}}, {"neutral", {0.0, 0.0}}, {"disgust", {-0.60, 0.35}},
  };
  auto it = kTable.find(e);
  if (it == kTable.end()) return std::nullopt;
  return it->second;
}

VA mood_from_probs(const std::vector<float>& probs, const std::vector<std::string>& classes) {
  if (probs.size() != classes.size()) throw std::invalid_argument("one probability per class is needed");
  VA out;
  double total = 0;
  for (size_t i = 0; i < probs.size(); ++i) {
    auto va = emotion_va(classes[i]);
    if (!va) throw std::invalid_argument("unknown emotion '" + classes[i] + "'");
    if (!(probs[i] >= 0)) throw std::invalid_argument("probabilities must be non-negative");
    out.valence += probs[i] * va->valence;
    out.arousal += probs[i] * va->arousal;
    total += probs[i];
  }
  if (total <= 0) throw std::invalid_argument("probabilities sum to zero");
  out.valence /= total;
  out.arousal /= total;
  return out;
}

std::optional<VA> track_va(const Track& t) {
  if (t.valence_override && t.arousal_override) return VA{*t.valence_override, *t.arousal_override};
  if (!t.valence || !t.energy) return std::nullopt;
  return VA{2 * *t.valence - 1, 2 * *t.energy - 1};
}

}  // namespace moodtune
