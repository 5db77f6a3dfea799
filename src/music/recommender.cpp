#include "music/recommender.h"

#include "music/catalog.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <stdexcept>
#include <unordered_set>

namespace moodtune {

namespace {
// Beyond this distance in the plane a pick is "the closest", not "a match".
constexpr double kFarFromTarget = 0.45;
}  // namespace

std::optional<Strategy> parse_strategy(const std::string& s) {
  if (s == "match") return Strategy::kMatch;
  if (s == "uplift") return Strategy::kUplift;
  if (s == "calm") return Strategy::kCalm;
  return std::nullopt;
}

const char* strategy_name(Strategy s) {
  switch (s) {
    case Strategy::kMatch: return "match";
    case Strategy::kUplift: return "uplift";
    case Strategy::kCalm: return "calm";
  }
  return "?";
}

std::string normalise_title(const std::string& title) {
  std::string t;
  int depth = 0;
  for (char c : title) {
    if (c == '(' || c == '[')
      ++depth;
    else if ((c == ')' || c == ']') && depth > 0)
      --depth;
    else if (depth == 0)
      t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  for (const char* cut : {" - ", " feat.", " ft."}) {
    size_t p = t.find(cut);
    if (p != std::string::npos) t = t.substr(0, p);
  }
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t;
}

std::shared_ptr<const TrackIndex> TrackIndexCache::get(Catalog& catalog) {
  const int64_t v = catalog.catalog_version();
  std::lock_guard<std::mutex> lock(mu_);
  if (!index_ || index_->catalog_version() != v) index_ = std::make_shared<const TrackIndex>(catalog.all_tracks(), v);
  return index_;
}

Recommender::Recommender(Catalog& catalog) : catalog_(catalog), index_(cache_.get(catalog)) {}

std::vector<Recommendation> Recommender::recommend(VA mood, const RecommendParams& p) {
  index_ = cache_.get(catalog_);
  ListenerProfile who;
  if (!p.listener.empty()) who = catalog_.listener_profile(p.listener, p.recent_window);
  return index_->rank(mood, p, who);
}

TrackIndex::TrackIndex(std::vector<Track> tracks, int64_t catalog_version)
    : version_(catalog_version), tracks_(std::move(tracks)) {
  auto intern = [](std::vector<std::string>& names, std::unordered_map<std::string, int>& ids, const std::string& s) {
    auto [it, fresh] = ids.emplace(s, static_cast<int>(names.size()));
    if (fresh) names.push_back(s);
    return it->second;
  };
  for (size_t i = 0; i < tracks_.size(); ++i) {
    const Track& t = tracks_[i];
    auto va = track_va(t);
    if (!va) continue;  // no mood estimate: cannot be placed
    Entry e{i, *va, intern(artists_, artist_id_, t.artist), {}, "", t.popularity / 100.0};
    for (const auto& g : t.genres) e.genres.push_back(intern(genres_, genre_id_, g));
    std::string lower_artist;
    for (char c : t.artist) lower_artist += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    e.song_key = lower_artist + "\n" + normalise_title(t.title);
    entry_of_[t.id] = entries_.size();
    entries_.push_back(std::move(e));
  }
}

VA neutral_target(const std::vector<VA>& liked) {
  if (liked.empty()) return kNeutralEasyGoing;
  VA mean{0, 0};
  for (const VA& v : liked) mean.valence += v.valence / static_cast<double>(liked.size()),
                            mean.arousal += v.arousal / static_cast<double>(liked.size());
  const double w = static_cast<double>(liked.size()) / (static_cast<double>(liked.size()) + 3.0);
  return {w * mean.valence + (1 - w) * kNeutralEasyGoing.valence, w * mean.arousal + (1 - w) * kNeutralEasyGoing.arousal};
}

std::vector<VA> strategy_targets(VA mood, Strategy s, int n) {
  std::vector<VA> out(static_cast<size_t>(std::max(n, 0)), mood);
  if (s == Strategy::kCalm) std::fill(out.begin(), out.end(), kCalmTarget);
  if (s == Strategy::kUplift) {
    // Iso principle: the first track meets the listener where they are; each
    // next one moves an equal step toward the goal.
    for (int i = 0; i < n; ++i) {
      double f = n > 1 ? static_cast<double>(i) / (n - 1) : 0.0;
      out[static_cast<size_t>(i)] = {mood.valence + (kUpliftGoal.valence - mood.valence) * f,
                                     mood.arousal + (kUpliftGoal.arousal - mood.arousal) * f};
    }
  }
  return out;
}

std::vector<Recommendation> TrackIndex::rank(VA mood, const RecommendParams& p, const ListenerProfile& who) const {
  if (p.n < 1 || p.n > 100) throw std::invalid_argument("list length must be 1..100");
  if (entries_.empty())
    throw std::runtime_error("the catalog has no tracks with mood features: import a CSV or scan a music folder first");

  // Per-request preference bonus per track, from learned weights.
  std::vector<double> genre_w(genres_.size(), 0.0);
  std::unordered_map<int, double> artist_w;
  for (const auto& [g, w] : who.genres)
    if (auto it = genre_id_.find(g); it != genre_id_.end()) genre_w[static_cast<size_t>(it->second)] = w;
  for (const auto& [a, w] : who.artists)
    if (auto it = artist_id_.find(a); it != artist_id_.end()) artist_w[it->second] = w;
  const std::unordered_set<int64_t> recent(who.recent.begin(), who.recent.end());
  std::vector<double> bonus(entries_.size(), 0.0);
  std::vector<double> genre_part(entries_.size(), 0.0);
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    double g = 0;
    for (int id : e.genres) g += genre_w[static_cast<size_t>(id)];
    if (!e.genres.empty()) g /= static_cast<double>(e.genres.size());
    genre_part[i] = genre_bonus(g);
    double b = genre_part[i] + 0.02 * e.popularity;
    if (auto it = artist_w.find(e.artist); it != artist_w.end()) b += artist_bonus(it->second);
    if (auto it = who.tracks.find(tracks_[e.track].id); it != who.tracks.end()) b += track_bonus(it->second);
    bonus[i] = b;
  }

  const std::string mood_name = p.mood_name.empty() ? nearest_emotion(mood) : p.mood_name;
  std::vector<VA> goal = strategy_targets(mood, p.strategy, p.n);
  const bool neutral = p.strategy == Strategy::kMatch && mood_name == "neutral";
  if (neutral) {
    std::vector<VA> liked;
    for (const auto& [id, w] : who.tracks)
      if (auto it = entry_of_.find(id); w > 0 && it != entry_of_.end()) liked.push_back(entries_[it->second].va);
    std::fill(goal.begin(), goal.end(), neutral_target(liked));
  }
  std::vector<Recommendation> out;
  std::unordered_map<int, int> per_artist;
  std::unordered_set<std::string> songs;
  std::vector<bool> used(entries_.size(), false);
  // For a constant target (match, calm) scores are computed once and only
  // the best few hundred are ranked; uplift's target moves per position, so
  // it scans per position.
  const bool constant = std::all_of(goal.begin(), goal.end(),
                                    [&](VA g) { return g.valence == goal[0].valence && g.arousal == goal[0].arousal; });
  auto score_of = [&](size_t i, VA target) {
    const double dv = entries_[i].va.valence - target.valence, da = entries_[i].va.arousal - target.arousal;
    return bonus[i] - std::sqrt(dv * dv + da * da);
  };
  auto allowed = [&](size_t i) {
    const Entry& e = entries_[i];
    if (used[i] || recent.count(tracks_[e.track].id) || songs.count(e.song_key)) return false;
    auto it = per_artist.find(e.artist);
    return it == per_artist.end() || it->second < p.max_per_artist;
  };
  std::vector<std::pair<double, size_t>> ranked;
  size_t ranked_at = 0, ranked_head = 0;
  if (constant) {
    ranked.reserve(entries_.size());
    for (size_t i = 0; i < entries_.size(); ++i) ranked.emplace_back(score_of(i, goal[0]), i);
    const size_t head = std::min(ranked.size(), static_cast<size_t>(p.n) * 40 + static_cast<size_t>(recent.size()));
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(head), ranked.end(),
                      [](const auto& a, const auto& b) { return a.first > b.first; });
    ranked_head = head;
  }
  for (int pos = 0; pos < p.n; ++pos) {
    const VA target = goal[static_cast<size_t>(pos)];
    double best = -std::numeric_limits<double>::max();
    size_t pick = entries_.size();
    if (constant) {
      while (ranked_at < ranked.size() && !allowed(ranked[ranked_at].second)) {
        if (++ranked_at == ranked_head) {  // rare: the head ran out; rank the rest too
          std::sort(ranked.begin() + static_cast<std::ptrdiff_t>(ranked_head), ranked.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first; });
          ranked_head = ranked.size();
        }
      }
      if (ranked_at < ranked.size()) best = ranked[ranked_at].first, pick = ranked[ranked_at].second;
    } else {
      for (size_t i = 0; i < entries_.size(); ++i) {
        const double s = score_of(i, target);
        if (s <= best || !allowed(i)) continue;  // cheap test before the set lookups
        best = s;
        pick = i;
      }
    }
    if (pick == entries_.size()) break;  // catalog exhausted
    const Entry& e = entries_[pick];
    used[pick] = true;
    per_artist[e.artist]++;
    songs.insert(e.song_key);
    Recommendation r;
    r.track = tracks_[e.track];
    r.va = e.va;
    r.target = target;
    r.score = best;
    char buf[200];
    // Say so when the library has nothing near: the nearest is not a match.
    const bool far = std::hypot(e.va.valence - target.valence, e.va.arousal - target.arousal) > kFarFromTarget;
    if (p.strategy == Strategy::kMatch && neutral)
      std::snprintf(buf, sizeof buf, "%s for a neutral mood (valence %+.2f, energy %+.2f)",
                    far ? "the closest to your usual taste in your library" : "your usual taste", e.va.valence,
                    e.va.arousal);
    else if (p.strategy == Strategy::kMatch)
      std::snprintf(buf, sizeof buf, "%s %s mood%s (valence %+.2f, energy %+.2f)",
                    far ? "the closest to your" : "matches your", mood_name.c_str(), far ? " in your library" : "",
                    e.va.valence, e.va.arousal);
    else if (p.strategy == Strategy::kCalm)
      std::snprintf(buf, sizeof buf, "%s (valence %+.2f, energy %+.2f)",
                    far ? "the calmest pleasant track in your library" : "calming: gentle and pleasant", e.va.valence,
                    e.va.arousal);
    else
      std::snprintf(buf, sizeof buf, "step %d of %d from %s toward content (valence %+.2f, energy %+.2f)", pos + 1, p.n,
                    mood_name.c_str(), e.va.valence, e.va.arousal);
    r.reason = buf;
    if (genre_part[pick] > 0.05 && !r.track.genres.empty()) r.reason += "; you like " + r.track.genres.front();
    if (auto it = artist_w.find(e.artist); it != artist_w.end() && it->second > 0)
      r.reason += "; you liked " + r.track.artist;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace moodtune
