// mood_map_fit.h — how the shipped mood map (src/music/mood_map.h) is made
// and checked: data_moods.csv split into a fit half and an evaluation half,
// two logistic regressions fitted on the first, agreement measured on the
// second. Development kit: the product ships only the coefficients.
//
//   auto split = moodtune::kit::load_mood_split("data_moods.csv", "/tmp/scratch.db");
//   moodtune::MoodMapModel m = moodtune::kit::fit_mood_map(split.fit);
//   moodtune::kit::MoodMapReport r = moodtune::kit::evaluate_mood_map(split.eval, m);
//
// The split: tracks sorted by Spotify id, even positions fit, odd ones
// evaluate (stable, independent of the file's order). Not thread-safe
// beyond its pure functions.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "music/mood_map.h"
#include "music/recommender.h"

namespace moodtune::kit {

struct MoodSplit {
  std::vector<Track> fit, eval;
};
// Imports the CSV into a throwaway SQLite catalog at scratch_db.
MoodSplit load_mood_split(const std::string& csv_path, const std::string& scratch_db);

// Each label's point in Russell's plane (Happy: happy, Calm: the calm
// target, Sad: sad, Energetic: "aroused") is the target of its tracks; two
// ridge regressions (valence, arousal) fit the score whose tanh(s/2) lands
// there. Deterministic, so a re-fit reproduces the shipped numbers.
inline constexpr VA kEnergeticAnchor{0.22, 0.91};
MoodMapModel fit_mood_map(const std::vector<Track>& fit);
// The same fit restricted to the first `features` features (2: valence and
// energy, what a scanned file has): measured, not shipped.
MoodMapModel fit_coefficients(const std::vector<Track>& fit, int features);

struct MoodMapReport {
  std::map<std::string, VA> label_median;  // per mood label
  std::map<std::string, int> label_count;
  // precision@10 of the real recommender over these tracks only
  double calm_precision = 0;   // `calm`: labelled Calm
  double happy_precision = 0;  // `match` a happy face: labelled Happy
  double sad_precision = 0;    // `match` a sad face: labelled Sad
  double neutral_happy_or_calm = 0;  // `match` a neutral face: Happy or Calm (the product decision)
};
MoodMapReport evaluate_mood_map(const std::vector<Track>& eval, const MoodMapModel& m);
// The same measures for any way of placing tracks.
MoodMapReport evaluate_placement(const std::vector<Track>& eval,
                                 const std::function<std::optional<VA>(const Track&)>& place);

// The model as the C++ initialisers of src/music/mood_map.cpp.
std::string model_as_cpp(const MoodMapModel& m);

}  // namespace moodtune::kit
