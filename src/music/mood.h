// mood.h — where a catalog track sits in the valence/arousal plane.
//
//   std::optional<moodtune::VA> song = moodtune::track_va(track);  // overrides win
//
// Emotions themselves live in the leaf module mood/affect.h, re-exported
// here for callers that need both. Pure functions: thread-safe.
#pragma once
#include <optional>

#include "mood/affect.h"
#include "music/track.h"

namespace moodtune {

// A listener's correction if any, else the mood map's estimate from the
// track's features (music/mood_map.h). nullopt when it has neither valence
// nor energy.
std::optional<VA> track_va(const Track& t);

}  // namespace moodtune
