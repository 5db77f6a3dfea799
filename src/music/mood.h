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

// Spotify's valence and energy in [0, 1] -> [-1, 1]; a listener's override
// wins. nullopt when the track has neither.
std::optional<VA> track_va(const Track& t);

}  // namespace moodtune
