#include "music/preferences.h"

#include <cmath>

namespace moodtune {

double preference_delta(FeedbackAction action) {
  switch (action) {
    case FeedbackAction::kLike: return 1.0;
    case FeedbackAction::kSkip: return -1.0;
    case FeedbackAction::kPlayed: return 0.25;
  }
  return 0.0;
}

// The scales (6 genre likes, 2 artist likes to reach tanh(1)) are chosen so
// that a few likes show in the list and a long history saturates below the
// weight of one step in valence/arousal distance (docs/music.md).
double genre_bonus(double mean_weight) { return 0.25 * std::tanh(mean_weight / 6.0); }
double artist_bonus(double weight) { return 0.12 * std::tanh(weight / 2.0); }
double track_bonus(double weight) { return weight < 0 ? -1.0 : 0.05; }

}  // namespace moodtune
