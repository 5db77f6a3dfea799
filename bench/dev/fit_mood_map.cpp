// moodtune-dev fit-mood-map: fits the mood map on the fit half of
// data_moods.csv, prints the coefficients for src/music/mood_map.cpp and the
// agreement of the fitted and the shipped model on the evaluation half.
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "dev/dev_commands.h"
#include "kit/mood_map_fit.h"

namespace moodtune::dev {
namespace {
nlohmann::json report_json(const kit::MoodMapReport& r) {
  nlohmann::json medians;
  for (const auto& [label, va] : r.label_median)
    medians[label] = {{"valence", va.valence}, {"arousal", va.arousal}, {"tracks", r.label_count.at(label)}};
  return {{"label_median", medians},
          {"precision_at_10",
           {{"calm:Calm", r.calm_precision},
            {"match happy:Happy", r.happy_precision},
            {"match sad:Sad", r.sad_precision},
            {"match neutral:Happy|Calm", r.neutral_happy_or_calm}}}};
}
// The evaluation half as a library scan would see it: valence and energy only.
std::vector<Track> basic_only(std::vector<Track> tracks) {
  for (Track& t : tracks) t.danceability = t.acousticness = t.instrumentalness = t.loudness = t.tempo = std::nullopt;
  return tracks;
}
}  // namespace

void add_fit_mood_map(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("fit-mood-map", "Fit the mood map on half of data_moods.csv; measure the other half");
  auto csv = std::make_shared<std::string>(
      (std::filesystem::path(MOODTUNE_SOURCE_DIR) / "../shared/data/catalog/data_moods.csv").lexically_normal().string());
  cmd->add_option("--csv", *csv, "The mood-labelled CSV")->capture_default_str();
  cmd->callback([csv, &exit_code] {
    cli::guarded(exit_code, [&] {
      const std::string scratch = (std::filesystem::temp_directory_path() / "moodtune-fit-mood-map.db").string();
      const kit::MoodSplit split = kit::load_mood_split(*csv, scratch);
      const MoodMapModel fitted = kit::fit_mood_map(split.fit);
      const MoodMapModel two = kit::fit_coefficients(split.fit, 2);
      std::cout << "// fit half: " << split.fit.size() << " tracks; evaluation half: " << split.eval.size() << "\n"
                << kit::model_as_cpp(fitted) << "\n";
      nlohmann::json out = {{"fitted_on_fit_half", report_json(kit::evaluate_mood_map(split.fit, fitted))},
                            {"fitted_on_eval_half", report_json(kit::evaluate_mood_map(split.eval, fitted))},
                            {"shipped_on_eval_half", report_json(kit::evaluate_mood_map(split.eval, shipped_mood_map()))},
                            {"two_feature_fit_on_eval_half", report_json(kit::evaluate_placement(
                                 basic_only(split.eval), [&](const Track& t) {
                                   return std::optional<VA>(apply_mood_map(mood_features(t), two));
                                 }))},
                            {"direct_map_on_eval_half", report_json(kit::evaluate_placement(
                                 basic_only(split.eval), [](const Track& t) { return mood_map(t); }))}};
      std::cout << out.dump(2) << "\n";
      std::filesystem::remove(scratch);
      return 0;
    });
  });
}

}  // namespace moodtune::dev
