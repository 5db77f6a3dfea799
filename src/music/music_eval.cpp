#include "music/music_eval.h"

#include <algorithm>

#include "music/recommender.h"

namespace moodtune {

std::vector<std::string> fitting_labels(const std::string& e) {
  // Spotify-mood quadrants: Happy (+v, mid a), Energetic (high a), Sad (-v,
  // low a), Calm (low a). An emotion's mirror is the quadrant its
  // circumplex point falls in, plus the neighbour it borders.
  if (e == "happy") return {"Happy", "Energetic"};
  if (e == "sad") return {"Sad", "Calm"};
  if (e == "neutral") return {"Calm", "Happy"};
  if (e == "angry") return {"Energetic"};
  if (e == "fear") return {"Energetic", "Sad"};     // unpleasant and aroused
  if (e == "disgust") return {"Energetic", "Sad"};  // unpleasant, moderately aroused
  if (e == "surprise") return {"Energetic", "Happy"};
  return {};
}

std::vector<AgreementRow> mood_agreement(Catalog& catalog, int n) {
  Recommender rec(catalog);
  std::vector<AgreementRow> out;
  for (const auto& e : default_class_names()) {
    AgreementRow row{e, fitting_labels(e), 0, 0};
    RecommendParams rp;
    rp.n = n;
    rp.mood_name = e;
    for (const auto& r : rec.recommend(*emotion_va(e), rp)) {
      ++row.total;
      if (std::find(row.fitting_labels.begin(), row.fitting_labels.end(), r.track.mood_label) !=
          row.fitting_labels.end())
        ++row.fitting;
    }
    out.push_back(row);
  }
  return out;
}

namespace {
double genre_share(Recommender& rec, const std::string& listener, const std::string& genre) {
  int hit = 0, total = 0;
  for (const auto& e : default_class_names()) {
    RecommendParams rp;
    rp.listener = listener;
    rp.recent_window = 0;  // measure preference, not novelty
    for (const auto& r : rec.recommend(*emotion_va(e), rp)) {
      ++total;
      hit += std::find(r.track.genres.begin(), r.track.genres.end(), genre) != r.track.genres.end();
    }
  }
  return total ? static_cast<double>(hit) / total : 0.0;
}
}  // namespace

SkipSimulation simulate_genre_skipper(Catalog& catalog, const std::string& genre, int skips) {
  Recommender rec(catalog);
  SkipSimulation s;
  s.genre = genre;
  s.share_before = genre_share(rec, "skipper", genre);
  s.other_before = genre_share(rec, "bystander", genre);
  std::vector<std::vector<int64_t>> before_lists;
  for (const auto& e : default_class_names()) {
    RecommendParams rp;
    rp.listener = "bystander";
    std::vector<int64_t> ids;
    for (const auto& r : rec.recommend(*emotion_va(e), rp)) ids.push_back(r.track.id);
    before_lists.push_back(ids);
  }
  // The skipper browses lists for every emotion and strategy and skips each
  // track of the genre it is shown, until `skips` skips or until the genre
  // no longer shows up at all.
  for (int round = 0, last = -1; s.skips < skips && s.skips != last && round < 20; ++round) {
    last = s.skips;
    for (const VA& va : kEmotionVA)
      for (Strategy st : {Strategy::kMatch, Strategy::kUplift, Strategy::kCalm}) {
        RecommendParams rp;
        rp.listener = "skipper";
        rp.strategy = st;
        rp.n = 20;
        for (const auto& r : rec.recommend(va, rp)) {
          if (s.skips >= skips) break;
          if (std::find(r.track.genres.begin(), r.track.genres.end(), genre) == r.track.genres.end()) continue;
          catalog.record_feedback("skipper", r.track.id, FeedbackAction::kSkip);
          ++s.skips;
        }
      }
  }
  s.share_after = genre_share(rec, "skipper", genre);
  s.other_after = genre_share(rec, "bystander", genre);
  s.other_unchanged = true;
  for (size_t i = 0; i < kEmotionVA.size(); ++i) {
    RecommendParams rp;
    rp.listener = "bystander";
    std::vector<int64_t> ids;
    for (const auto& r : rec.recommend(kEmotionVA[i], rp)) ids.push_back(r.track.id);
    s.other_unchanged = s.other_unchanged && ids == before_lists[i];
  }
  return s;
}

}  // namespace moodtune
