#include "music/mood.h"

#include "music/mood_map.h"

namespace moodtune {

std::optional<VA> track_va(const Track& t) {
  if (t.valence_override && t.arousal_override) return VA{*t.valence_override, *t.arousal_override};
  return mood_map(t);
}

}  // namespace moodtune
