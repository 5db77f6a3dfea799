// affect.h — emotions as points in Russell's valence/arousal plane. A leaf:
// depends on nothing but the emotion names (common/emotions.h).
//
//   moodtune::VA mood = moodtune::mood_from_probs(smoothed_probs, classes);
//   std::string near = moodtune::nearest_emotion(mood);        // "happy"
//   moodtune::VA song = moodtune::va_from_unit(0.8, 0.6);      // Spotify scale
//   moodtune::UnitVA u = moodtune::va_to_unit(song);           // back
//
// The coordinates of the seven classes, and why disgust sits where it does,
// are in docs/music.md ("Mood plane"). Everything here is a
// pure function of its arguments: thread-safe.
#pragma once
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/emotions.h"

namespace moodtune {

// A point of the valence/arousal plane, both in [-1, 1]: valence from
// unpleasant to pleasant, arousal from sleepy to excited.
struct VA {
  double valence = 0, arousal = 0;
};

// The same point on Spotify's [0, 1] scale (valence, energy), the scale the
// catalog stores for every source.
struct UnitVA {
  double valence = 0.5, energy = 0.5;
};

// Class coordinates in kEmotionNames order.
inline constexpr std::array<VA, kNumEmotions> kEmotionVA = {{
    {-0.52, 0.58},   // angry
    {-0.60, 0.35},   // disgust
    {-0.34, 0.64},   // fear
    {0.83, 0.53},    // happy
    {0.0, 0.0},      // neutral
    {-0.65, -0.27},  // sad
    {0.16, 0.89},    // surprise
}};

double va_distance(VA a, VA b);
std::optional<VA> emotion_va(std::string_view emotion);  // nullopt when unknown
// Probability-weighted mean of the class coordinates (probs need not sum to
// 1). Throws std::invalid_argument for an unknown class, a size mismatch, a
// negative or non-finite probability, or a zero sum.
VA mood_from_probs(const std::vector<float>& probs, const std::vector<std::string>& classes);
// The class whose point is closest.
std::string nearest_emotion(VA va);

VA va_from_unit(UnitVA u);
inline VA va_from_unit(double valence01, double energy01) { return va_from_unit(UnitVA{valence01, energy01}); }
UnitVA va_to_unit(VA va);

}  // namespace moodtune
