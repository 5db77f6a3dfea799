// mood.h — emotions as points in Russell's valence/arousal plane, and the
// mapping of tracks' audio features onto the same plane.
//
//   moodtune::VA target = moodtune::mood_from_probs(smoothed_probs, classes);
//   moodtune::VA song = moodtune::track_va(track);   // overrides win
//
// Coordinates (valence, arousal) in [-1, 1], from Russell (1980), "A
// circumplex model of affect", J. Pers. Soc. Psych. 39(6), as commonly
// tabulated: happy (+0.83, +0.53), sad (-0.65, -0.27), angry (-0.52, +0.58),
// afraid (-0.34, +0.64), astonished (+0.16, +0.89), neutral at the origin.
// Russell's 28 terms have no "disgusted"; we place disgust at (-0.60, +0.35),
// following Scherer's (2005) Geneva Emotion Wheel, where disgust sits in the
// unpleasant half with moderate arousal, below anger and fear, which matches
// its lower physiological activation (Scherer 2005, Soc. Sci. Inf. 44(4)).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "music/catalog.h"

namespace moodtune {

struct VA {
  double valence = 0, arousal = 0;
};

double va_distance(VA a, VA b);
std::optional<VA> emotion_va(const std::string& emotion);  // nullopt when unknown
// Probability-weighted mean of the class coordinates (probs need not sum to 1).
VA mood_from_probs(const std::vector<float>& probs, const std::vector<std::string>& classes);
// Spotify's valence and energy in [0, 1] -> [-1, 1]; a listener's override
// wins. nullopt when the track has neither.
std::optional<VA> track_va(const Track& t);

}  // namespace moodtune
