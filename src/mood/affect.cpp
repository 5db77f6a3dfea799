#include "mood/affect.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace moodtune {

double va_distance(VA a, VA b) { return std::hypot(a.valence - b.valence, a.arousal - b.arousal); }

std::optional<VA> emotion_va(std::string_view e) {
  const int i = emotion_index(e);
  if (i < 0) return std::nullopt;
  return kEmotionVA[static_cast<size_t>(i)];
}

VA mood_from_probs(const std::vector<float>& probs, const std::vector<std::string>& classes) {
  if (probs.size() != classes.size()) throw std::invalid_argument("one probability per class is needed");
  VA out;
  double total = 0;
  for (size_t i = 0; i < probs.size(); ++i) {
    auto va = emotion_va(classes[i]);
    if (!va) throw std::invalid_argument("unknown emotion '" + classes[i] + "'");
    if (!(probs[i] >= 0) || !std::isfinite(probs[i]))
      throw std::invalid_argument("probabilities must be finite and non-negative");
    out.valence += probs[i] * va->valence;
    out.arousal += probs[i] * va->arousal;
    total += probs[i];
  }
  if (total <= 0) throw std::invalid_argument("probabilities sum to zero");
  out.valence /= total;
  out.arousal /= total;
  return out;
}

std::string nearest_emotion(VA va) {
  size_t best = static_cast<size_t>(emotion_index("neutral"));
  double bd = std::numeric_limits<double>::max();
  for (size_t i = 0; i < kEmotionVA.size(); ++i) {
    const double d = va_distance(va, kEmotionVA[i]);
    if (d < bd) bd = d, best = i;
  }
  return std::string(kEmotionNames[best]);
}

VA va_from_unit(UnitVA u) { return {2 * u.valence - 1, 2 * u.energy - 1}; }
UnitVA va_to_unit(VA va) { return {(va.valence + 1) / 2, (va.arousal + 1) / 2}; }

}  // namespace moodtune
