#include "music/mood_map.h"

#include <algorithm>
#include <cmath>

namespace moodtune {

const std::array<const char*, kMoodMapFeatures> kMoodMapFeatureNames = {
    "valence", "energy", "danceability", "acousticness", "instrumentalness", "loudness", "tempo"};

// Fitted by `moodtune-dev fit-mood-map --csv ../shared/data/catalog/data_moods.csv`
// on its fit half (tracks at even positions when sorted by Spotify id);
// MoodMap.ShippedCoefficientsAreTheDocumentedFit re-fits and compares.
const MoodMapModel& shipped_mood_map() {
  static const MoodMapModel m = [] {
    MoodMapModel x;
    x.mean = {0.331785, 0.497956, 0.493612, 0.465657, 0.370084, -12.0654, 119.953};
    x.sd = {0.248057, 0.331106, 0.160205, 0.413146, 0.417975, 7.82623, 28.8303};
    x.valence_w = {0.251763, 0.783372, 0.17819, -0.311563, 0.423124, -0.752712, 0.0102722};
    x.arousal_w = {-0.107171, 1.2302, -0.0280529, -0.325108, -0.428157, -0.396331, 0.0325634};
    x.valence_bias = 0.569942;
    x.arousal_bias = 0.379075;
    return x;
  }();
  return m;
}

MoodFeatures mood_features(const Track& t) {
  return {t.valence, t.energy, t.danceability, t.acousticness, t.instrumentalness, t.loudness, t.tempo};
}

VA apply_mood_map(const MoodFeatures& x, const MoodMapModel& m) {
  double v = m.valence_bias, a = m.arousal_bias;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!x[i] || m.sd[i] <= 0) continue;  // missing or unused: the mean, z = 0
    const double z = (*x[i] - m.mean[i]) / m.sd[i];
    v += m.valence_w[i] * z;
    a += m.arousal_w[i] * z;
  }
  // 2 sigmoid(s) - 1 = tanh(s / 2): a bounded position on the plane's scale.
  return VA{std::tanh(v / 2), std::tanh(a / 2)};
}

std::optional<VA> mood_map(const MoodFeatures& x, const MoodMapModel& model) {
  if (!x[0] || !x[1]) return std::nullopt;
  if (std::all_of(x.begin(), x.end(), [](const auto& f) { return f.has_value(); })) return apply_mood_map(x, model);
  return va_from_unit(*x[0], *x[1]);
}

}  // namespace moodtune
