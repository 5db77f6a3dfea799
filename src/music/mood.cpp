#include "music/mood.h"

namespace moodtune {

std::optional<VA> track_va(const Track& t) {
  if (t.valence_override && t.arousal_override) return VA{*t.valence_override, *t.arousal_override};
  if (!t.valence || !t.energy) return std::nullopt;
  return va_from_unit(*t.valence, *t.energy);
}

}  // namespace moodtune
