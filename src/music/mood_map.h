// mood_map.h — where a track sits in Russell's valence/arousal plane, from
// its Spotify-style audio features: one model for catalog (CSV) tracks and
// scanned library tracks alike.
//
//   std::optional<moodtune::VA> p = moodtune::mood_map(track);   // nullopt: no features
//   // p->valence = 2 P(pleasant) - 1, p->arousal = 2 P(aroused) - 1
//
// The model: two logistic regressions over seven standardised features
// (valence, energy, danceability, acousticness, instrumentalness, loudness,
// tempo), one for "pleasant" (Happy, Calm vs Sad) and one for "aroused"
// (Happy, Energetic vs Calm, Sad), fitted on a documented half of
// data_moods.csv (`moodtune-dev fit-mood-map`; docs/music.md has the
// procedure, the coefficients' meaning and the agreement on the other half).
// A track without all seven (a scanned file, whose own analysis estimates
// valence and energy on Spotify's scale; a bare CSV) keeps the direct map
// 2x - 1 of those two: they cannot tell Calm from Sad (the same fit on them
// alone put the held-out Sad tracks at valence +0.22; docs/music.md). Why fitted at all: Spotify's valence alone rates
// quiet acoustic music as unpleasant, which put Calm playlists in Sad's
// quadrant (issue 17). Pure functions over constants: thread-safe.
#pragma once
#include <array>
#include <optional>

#include "mood/affect.h"
#include "music/track.h"

namespace moodtune {

inline constexpr int kMoodMapFeatures = 7;
extern const std::array<const char*, kMoodMapFeatures> kMoodMapFeatureNames;
using MoodFeatures = std::array<std::optional<double>, kMoodMapFeatures>;

// score = bias + sum w_i (x_i - mean_i) / sd_i; position = tanh(score / 2).
struct MoodMapModel {
  std::array<double, kMoodMapFeatures> mean{}, sd{};  // standardisation, from the fitted half
  std::array<double, kMoodMapFeatures> valence_w{}, arousal_w{};  // 0 for features not used
  double valence_bias = 0, arousal_bias = 0;
};

// The coefficients shipped in the binary (src/music/mood_map.cpp).
const MoodMapModel& shipped_mood_map();
// A track's features in the model's order.
MoodFeatures mood_features(const Track& t);
// The model with all seven features, the direct map with valence and
// energy only, nullopt without both.
std::optional<VA> mood_map(const MoodFeatures& x, const MoodMapModel& m = shipped_mood_map());
// The coefficients applied as they are (a missing feature counts as its
// mean): for fitting and measuring.
VA apply_mood_map(const MoodFeatures& x, const MoodMapModel& m);
inline std::optional<VA> mood_map(const Track& t, const MoodMapModel& m = shipped_mood_map()) {
  return mood_map(mood_features(t), m);
}

}  // namespace moodtune
