// music_eval.h — measurements of the recommender: mood agreement on a
// mood-labelled catalog, and a simulated listener who skips one genre.
//
//   moodtune::Catalog cat(db);  moodtune::import_csv(cat, "data_moods.csv");
//   auto rows = moodtune::mood_agreement(cat, 10);   // one row per emotion
//   auto sim  = moodtune::simulate_genre_skipper(cat, "rock", 20);
#pragma once
#include <string>
#include <vector>

#include "music/catalog.h"

namespace moodtune {

struct AgreementRow {
  std::string emotion;
  std::vector<std::string> fitting_labels;  // mood labels that fit a `match` list
  int fitting = 0, total = 0;
  double share() const { return total ? static_cast<double>(fitting) / total : 0.0; }
};

// Which data_moods labels (Happy, Sad, Energetic, Calm) fit music that
// mirrors each emotion; see docs/music.md for the reasoning.
std::vector<std::string> fitting_labels(const std::string& emotion);

// For each of the 7 emotions: the share of the top-n `match` list whose
// mood label fits.
std::vector<AgreementRow> mood_agreement(Catalog& catalog, int n);

struct SkipSimulation {
  std::string genre;
  double share_before = 0, share_after = 0;  // of the skipper's lists
  double other_before = 0, other_after = 0;  // another listener's lists
  bool other_unchanged = false;
  int skips = 0;  // skips given; fewer than asked when the genre stopped appearing
};

// Listener "skipper" skips every track of `genre` they are offered (lists of
// 20 for each emotion and strategy, repeated) until `skips` skips or until
// the genre is no longer offered; "bystander" gives no
// feedback. Shares are over the 7 emotions' match lists.
SkipSimulation simulate_genre_skipper(Catalog& catalog, const std::string& genre, int skips);

}  // namespace moodtune
