// The catalog's mood history (mood_history.h): consent, per-day sums of the
// camera mood, feedback per mood, a listener's calibration baseline, and
// forgetting a listener.
#include <algorithm>
#include <cmath>
#include <map>

#include "music/catalog.h"

namespace moodtune {

namespace {
// The per-emotion columns of mood_days, in kEmotionNames order.
std::string emotion_columns(const std::string& prefix = {}) {
  std::string out;
  for (int i = 0; i < kNumEmotions; ++i) out += (i ? ", " : "") + prefix + std::string(kEmotionNames[i]);
  return out;
}
}  // namespace

int MoodDay::top() const { return static_cast<int>(std::max_element(share.begin(), share.end()) - share.begin()); }

std::string local_day(std::time_t t) {
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string days_ago(int n) { return local_day(std::time(nullptr) - static_cast<std::time_t>(n) * 86400); }

void Catalog::set_mood_history_consent(const std::string& listener, bool keep) {
  retry_transient([&] {
    Transaction tx(*db_);
    const int64_t lid = listener_id(listener);
    auto st = db_->prepare("UPDATE listeners SET keep_mood_history = $1 WHERE id = $2");
    st.bind(1, keep ? 1 : 0).bind(2, lid).run();
    tx.commit();
  });
}

bool Catalog::mood_history_consent(const std::string& listener) {
  auto st = db_->prepare("SELECT keep_mood_history FROM listeners WHERE name = $1");
  st.bind(1, listener);
  return st.step() && st.int64(0) == 1;
}

bool Catalog::add_mood_sample(const std::string& listener, const std::string& day, const std::vector<float>& probs,
                              double valence, double arousal) {
  if (probs.size() != static_cast<size_t>(kNumEmotions))
    throw DbError("a mood sample needs " + std::to_string(kNumEmotions) + " probabilities");
  double sum = 0;
  for (float p : probs) sum += p;
  if (!(sum > 0) || !std::isfinite(sum) || !std::isfinite(valence) || !std::isfinite(arousal))
    throw DbError("a mood sample needs finite probabilities with a positive sum");
  // Most listeners never consent: a plain read spares them a write
  // transaction (a write lock on SQLite) every 10 s of camera time. The
  // statement checks again, so no sample slips in after a withdrawal.
  if (!mood_history_consent(listener)) return false;
  std::string sql = "INSERT INTO mood_days (listener_id, day, samples, " + emotion_columns() +
                    ", valence, arousal) SELECT id, CAST($2 AS TEXT), 1";
  // Typed: PostgreSQL cannot infer a parameter's type from a select list.
  for (int i = 0; i < kNumEmotions + 2; ++i) sql += ", CAST($" + std::to_string(i + 3) + " AS DOUBLE PRECISION)";
  sql += " FROM listeners WHERE name = $1 AND keep_mood_history = 1 ON CONFLICT (listener_id, day) DO UPDATE SET "
         "samples = mood_days.samples + 1";
  for (const char* c : {"valence", "arousal"}) sql += std::string(", ") + c + " = mood_days." + c + " + excluded." + c;
  for (auto name : kEmotionNames) {
    const std::string c(name);
    sql += ", " + c + " = mood_days." + c + " + excluded." + c;
  }
  return retry_transient([&] {
    Transaction tx(*db_, Isolation::kReadCommitted);  // an additive upsert commutes: see record_feedback
    auto st = db_->prepare(sql);
    st.bind(1, listener).bind(2, day);
    // Normalised, so a day's shares sum to one whatever the caller passed.
    for (int i = 0; i < kNumEmotions; ++i) st.bind(i + 3, static_cast<double>(probs[static_cast<size_t>(i)]) / sum);
    st.bind(kNumEmotions + 3, valence).bind(kNumEmotions + 4, arousal);
    st.run();
    const bool kept = db_->changes() > 0;
    tx.commit();
    return kept;
  });
}

std::vector<MoodDay> Catalog::mood_days(const std::string& listener, const std::string& since_day) {
  auto st = db_->prepare("SELECT d.day, d.samples, " + emotion_columns("d.") +
                         ", d.valence, d.arousal FROM mood_days d JOIN listeners l ON l.id = d.listener_id "
                         "WHERE l.name = $1 AND d.day >= $2 ORDER BY d.day");
  st.bind(1, listener).bind(2, since_day);
  std::vector<MoodDay> out;
  while (st.step()) {
    MoodDay d;
    d.day = st.text(0);
    d.samples = st.int64(1);
    const double n = static_cast<double>(d.samples);
    for (int i = 0; i < kNumEmotions; ++i) d.share[static_cast<size_t>(i)] = st.real(2 + i) / n;
    d.valence = st.real(2 + kNumEmotions) / n;
    d.arousal = st.real(3 + kNumEmotions) / n;
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<MoodFeedback> Catalog::feedback_by_mood(const std::string& listener, int per_mood) {
  auto st = db_->prepare(
      "SELECT h.mood, h.track_id, SUM(CASE WHEN h.action = 'like' THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN h.action = 'skip' THEN 1 ELSE 0 END) FROM history h JOIN listeners l ON l.id = h.listener_id "
      "WHERE l.name = $1 AND h.mood <> '' AND h.action IN ('like', 'skip') GROUP BY h.mood, h.track_id "
      "ORDER BY h.mood, 3 DESC, 4, h.track_id");
  st.bind(1, listener);
  std::vector<MoodFeedback> rows;
  std::map<std::string, int> taken;
  while (st.step()) {
    MoodFeedback f;
    f.mood = st.text(0);
    if (taken[f.mood] >= per_mood) continue;
    f.track.id = st.int64(1);
    f.likes = st.int64(2);
    f.skips = st.int64(3);
    ++taken[f.mood];
    rows.push_back(std::move(f));
  }
  // Tracks are read after the statement is done: one statement at a time.
  for (auto& f : rows)
    if (auto t = find_track(f.track.id)) f.track = std::move(*t);
  return rows;
}

MoodHistoryReport Catalog::mood_history(const std::string& listener, int days) {
  MoodHistoryReport r;
  r.keep = mood_history_consent(listener);
  r.days = mood_days(listener, days_ago(days - 1));
  r.by_mood = feedback_by_mood(listener, 5);
  return r;
}

ForgetReport Catalog::forget_listener(const std::string& listener) {
  return retry_transient([&] {
    Transaction tx(*db_);
    ForgetReport r;
    auto id = db_->prepare("SELECT id FROM listeners WHERE name = $1");
    id.bind(1, listener);
    if (!id.step()) return r;  // nothing was ever kept
    const int64_t lid = id.int64(0);
    id.reset();
    auto del = [&](const char* table) {
      auto st = db_->prepare(std::string("DELETE FROM ") + table + " WHERE listener_id = $1");
      st.bind(1, lid).run();
      return db_->changes();
    };
    r.days = del("mood_days");
    r.feedback = del("history");
    r.preferences = del("preferences");
    r.baselines = del("listener_baselines");
    tx.commit();
    return r;
  });
}

void Catalog::set_listener_baseline(const std::string& listener, const std::string& model, const std::string& json) {
  retry_transient([&] {
    Transaction tx(*db_);
    const int64_t lid = listener_id(listener);
    // Delete + insert rather than an upsert: the same SQL in both dialects,
    // and created_at gets its default again.
    db_->prepare("DELETE FROM listener_baselines WHERE listener_id = $1").bind(1, lid).run();
    db_->prepare("INSERT INTO listener_baselines (listener_id, model, baseline) VALUES ($1, $2, $3)")
        .bind(1, lid)
        .bind(2, model)
        .bind(3, json)
        .run();
    tx.commit();
  });
}

std::optional<Catalog::StoredBaseline> Catalog::listener_baseline(const std::string& listener) {
  auto st = db_->prepare(
      "SELECT b.model, b.baseline, b.created_at FROM listener_baselines b JOIN listeners l ON l.id = b.listener_id "
      "WHERE l.name = $1");
  st.bind(1, listener);
  if (!st.step()) return std::nullopt;
  return StoredBaseline{st.text(0), st.text(1), st.text(2)};
}

bool Catalog::delete_listener_baseline(const std::string& listener) {
  return retry_transient([&] {
    Transaction tx(*db_);
    auto st = db_->prepare(
        "DELETE FROM listener_baselines WHERE listener_id IN (SELECT id FROM listeners WHERE name = $1)");
    st.bind(1, listener).run();
    const bool deleted = db_->changes() > 0;
    tx.commit();
    return deleted;
  });
}

}  // namespace moodtune
