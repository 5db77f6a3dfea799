#include "kit/mood_map_fit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "music/catalog.h"
#include "music/csv_import.h"
#include "common/emotions.h"
#include "music/recommender.h"

namespace moodtune::kit {

MoodSplit load_mood_split(const std::string& csv_path, const std::string& scratch_db) {
  std::filesystem::remove(scratch_db);
  Catalog cat(scratch_db);
  import_csv(cat, csv_path, "moods");
  std::vector<Track> all = cat.all_tracks();
  std::sort(all.begin(), all.end(), [](const Track& a, const Track& b) { return a.external_id < b.external_id; });
  MoodSplit s;
  for (size_t i = 0; i < all.size(); ++i) (i % 2 == 0 ? s.fit : s.eval).push_back(all[i]);
  if (s.fit.empty()) throw std::runtime_error(csv_path + ": no tracks");
  return s;
}

namespace {
// Least squares with a small ridge penalty, on standardised rows (bias
// first), by full-batch gradient descent for a fixed number of steps:
// deterministic, so a re-fit reproduces the shipped numbers.
std::vector<double> least_squares(const std::vector<std::array<double, kMoodMapFeatures>>& z,
                                  const std::vector<double>& y) {
  constexpr int kSteps = 6000;
  constexpr double kRate = 0.05, kL2 = 0.01;
  std::vector<double> w(kMoodMapFeatures + 1, 0.0);
  const double n = static_cast<double>(z.size());
  for (int step = 0; step < kSteps; ++step) {
    std::vector<double> g(w.size(), 0.0);
    for (size_t r = 0; r < z.size(); ++r) {
      double s = w[0];
      for (int i = 0; i < kMoodMapFeatures; ++i) s += w[static_cast<size_t>(i) + 1] * z[r][static_cast<size_t>(i)];
      const double err = s - y[r];
      g[0] += 2 * err / n;
      for (int i = 0; i < kMoodMapFeatures; ++i)
        g[static_cast<size_t>(i) + 1] += 2 * err * z[r][static_cast<size_t>(i)] / n;
    }
    for (size_t i = 1; i < w.size(); ++i) g[i] += 2 * kL2 * w[i];
    for (size_t i = 0; i < w.size(); ++i) w[i] -= kRate * g[i];
  }
  return w;
}
}  // namespace

MoodMapModel fit_coefficients(const std::vector<Track>& fit, int features) {
  MoodMapModel m;
  std::vector<MoodFeatures> x;
  for (const Track& t : fit) x.push_back(mood_features(t));
  for (int i = 0; i < features; ++i) {
    double sum = 0, sq = 0, n = 0;
    for (const auto& f : x)
      if (f[static_cast<size_t>(i)]) sum += *f[static_cast<size_t>(i)], sq += *f[static_cast<size_t>(i)] * *f[static_cast<size_t>(i)], ++n;
    if (n < 2) throw std::runtime_error(std::string("too few tracks with ") + kMoodMapFeatureNames[static_cast<size_t>(i)]);
    m.mean[static_cast<size_t>(i)] = sum / n;
    m.sd[static_cast<size_t>(i)] = std::sqrt(std::max(1e-12, sq / n - (sum / n) * (sum / n)));
  }
  auto standardise = [&](const MoodFeatures& f) {
    std::array<double, kMoodMapFeatures> z{};
    for (int i = 0; i < features; ++i)
      if (f[static_cast<size_t>(i)])
        z[static_cast<size_t>(i)] = (*f[static_cast<size_t>(i)] - m.mean[static_cast<size_t>(i)]) / m.sd[static_cast<size_t>(i)];
    return z;
  };
  // Each label stands for a point of Russell's plane: Happy for happy, Calm
  // for the calm target ("relaxed"), Sad for sad, Energetic for "aroused"
  // (Russell 1980: high arousal, mildly pleasant). Each track's target is
  // its label's point; the model's score s is fitted to 2 atanh(target), so
  // that tanh(s / 2), the formula of mood_map(), lands on it.
  const VA happy = kEmotionVA[static_cast<size_t>(emotion_index("happy"))];
  const VA sad = kEmotionVA[static_cast<size_t>(emotion_index("sad"))];
  const std::map<std::string, VA> anchors = {
      {"Happy", happy}, {"Calm", kCalmTarget}, {"Sad", sad}, {"Energetic", kEnergeticAnchor}};
  std::vector<std::array<double, kMoodMapFeatures>> z;
  std::vector<double> yv, ya;
  for (size_t r = 0; r < fit.size(); ++r) {
    auto it = anchors.find(fit[r].mood_label);
    if (it == anchors.end()) continue;
    z.push_back(standardise(x[r]));
    yv.push_back(2 * std::atanh(it->second.valence));
    ya.push_back(2 * std::atanh(it->second.arousal));
  }
  const std::vector<double> wv = least_squares(z, yv), wa = least_squares(z, ya);
  m.valence_bias = wv[0];
  m.arousal_bias = wa[0];
  for (int i = 0; i < features; ++i) {
    m.valence_w[static_cast<size_t>(i)] = wv[static_cast<size_t>(i) + 1];
    m.arousal_w[static_cast<size_t>(i)] = wa[static_cast<size_t>(i) + 1];
  }
  return m;
}
MoodMapModel fit_mood_map(const std::vector<Track>& fit) { return fit_coefficients(fit, kMoodMapFeatures); }

MoodMapReport evaluate_mood_map(const std::vector<Track>& eval, const MoodMapModel& m) {
  return evaluate_placement(eval, [&](const Track& t) { return mood_map(t, m); });
}

MoodMapReport evaluate_placement(const std::vector<Track>& eval,
                                 const std::function<std::optional<VA>(const Track&)>& place) {
  MoodMapReport rep;
  std::vector<Track> placed;
  std::map<std::string, std::vector<double>> vs, as;
  for (Track t : eval) {
    const std::optional<VA> va = place(t);
    if (!va) continue;
    vs[t.mood_label].push_back(va->valence);
    as[t.mood_label].push_back(va->arousal);
    t.valence_override = va->valence;  // the index places tracks by this model
    t.arousal_override = va->arousal;
    placed.push_back(std::move(t));
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  };
  for (const auto& [label, v] : vs) {
    rep.label_median[label] = {median(v), median(as[label])};
    rep.label_count[label] = static_cast<int>(v.size());
  }
  const TrackIndex index(placed, 1);
  auto precision = [&](Strategy s, const char* emotion, std::vector<std::string> labels) {
    RecommendParams p;
    p.strategy = s;
    p.n = 10;
    const VA mood = kEmotionVA[static_cast<size_t>(emotion_index(emotion))];
    p.mood_name = emotion;
    const auto list = index.rank(mood, p, {});
    int hits = 0;
    for (const auto& r : list)
      hits += std::find(labels.begin(), labels.end(), r.track.mood_label) != labels.end();
    return list.empty() ? 0.0 : static_cast<double>(hits) / static_cast<double>(list.size());
  };
  rep.calm_precision = precision(Strategy::kCalm, "neutral", {"Calm"});
  rep.happy_precision = precision(Strategy::kMatch, "happy", {"Happy"});
  rep.sad_precision = precision(Strategy::kMatch, "sad", {"Sad"});
  rep.neutral_happy_or_calm = precision(Strategy::kMatch, "neutral", {"Happy", "Calm"});
  return rep;
}

std::string model_as_cpp(const MoodMapModel& m) {
  std::ostringstream o;
  auto arr = [&](const char* field, const std::array<double, kMoodMapFeatures>& a) {
    o << "    x." << field << " = {";
    for (size_t i = 0; i < a.size(); ++i) {
      char b[32];
      std::snprintf(b, sizeof b, "%.6g", a[i]);
      o << (i ? ", " : "") << b;
    }
    o << "};\n";
  };
  arr("mean", m.mean);
  arr("sd", m.sd);
  arr("valence_w", m.valence_w);
  arr("arousal_w", m.arousal_w);
  char b[128];
  std::snprintf(b, sizeof b, "    x.valence_bias = %.6g;\n    x.arousal_bias = %.6g;\n", m.valence_bias, m.arousal_bias);
  o << b;
  return o.str();
}

}  // namespace moodtune::kit
