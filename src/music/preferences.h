// preferences.h — how a listener's feedback becomes learned weights, and how
// those weights move a track up or down a list: the rule, written once.
//
//   double d = moodtune::preference_delta(moodtune::FeedbackAction::kLike);  // +1
//   moodtune::ListenerProfile who = catalog.listener_profile("ana", 50);
//   double b = moodtune::artist_bonus(who.artists["Nina Simone"]);
//
// Writing: each feedback adds preference_delta(action) to the listener's
// weight for every genre of the track, for its artist and for the track
// itself (Catalog::record_feedback, in the feedback's transaction). Reading:
// the recommender adds the bonuses below to a track's closeness score. The
// bonuses saturate (tanh), so a long history cannot outweigh the mood, and
// one skip of a track keeps it out of lists. Pure functions, thread-safe.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "music/track.h"

namespace moodtune {

// What the catalog has learned about one listener.
struct ListenerProfile {
  std::map<std::string, double> genres, artists;  // learned weight by name
  std::map<int64_t, double> tracks;               // learned weight by track id
  std::vector<int64_t> recent;                    // track ids of the latest history entries, newest first
};

// A like pulls toward the track's genres and artist, a skip pushes away;
// "played" (listened to the end) is a mild like.
double preference_delta(FeedbackAction action);

// Bonus from the mean weight of a track's genres: at most +-0.25.
double genre_bonus(double mean_weight);
// Bonus from the artist's weight: at most +-0.12.
double artist_bonus(double weight);
// A liked track comes back a little more often; a skipped one (-1) not at all.
double track_bonus(double weight);

}  // namespace moodtune
