#include "music/catalog.h"

#include <algorithm>
#include <ctime>
#include <set>

#include "music/catalog_schema.h"
#include "music/preferences.h"

namespace moodtune {

namespace {
constexpr const char* kTrackColumns =
    "id, source, external_id, title, artist, album, duration_ms, popularity, valence, energy, tempo, danceability, "
    "acousticness, instrumentalness, loudness, speechiness, liveness, key, mode, mood_label, valence_override, "
    "arousal_override";

Track read_track(Statement& s) {
  Track t;
  t.id = s.int64(0);
  t.source = s.text(1);
  t.external_id = s.text(2);
  t.title = s.text(3);
  t.artist = s.text(4);
  t.album = s.text(5);
  t.duration_ms = s.int64(6);
  t.popularity = static_cast<int>(s.int64(7));
  t.valence = s.opt_real(8);
  t.energy = s.opt_real(9);
  t.tempo = s.opt_real(10);
  t.danceability = s.opt_real(11);
  t.acousticness = s.opt_real(12);
  t.instrumentalness = s.opt_real(13);
  t.loudness = s.opt_real(14);
  t.speechiness = s.opt_real(15);
  t.liveness = s.opt_real(16);
  if (!s.is_null(17)) t.key = static_cast<int>(s.int64(17));
  if (!s.is_null(18)) t.mode = static_cast<int>(s.int64(18));
  t.mood_label = s.text(19);
  t.valence_override = s.opt_real(20);
  t.arousal_override = s.opt_real(21);
  return t;
}

// The 17 writable columns of a track, in the order both statements list
// them (title .. mood_label), from parameter `first` on.
void bind_track_fields(Statement& st, const Track& t, int first) {
  int i = first;
  for (const std::string* v : {&t.title, &t.artist, &t.album}) st.bind(i++, *v);
  st.bind(i++, t.duration_ms);
  st.bind(i++, t.popularity);
  for (const std::optional<double>* v : {&t.valence, &t.energy, &t.tempo, &t.danceability, &t.acousticness,
                                         &t.instrumentalness, &t.loudness, &t.speechiness, &t.liveness})
    st.bind(i++, *v);
  st.bind(i++, t.key);
  st.bind(i++, t.mode);
  st.bind(i++, t.mood_label);
}

}  // namespace

Catalog::Catalog(const std::string& location, bool read_only) : db_(open_database(location, read_only)) {
  if (!read_only) migrate_catalog(*db_);
}

Catalog::UpsertResult Catalog::upsert_track(const Track& t) {
  UpsertResult r;
  auto find = db_->prepare("SELECT id FROM tracks WHERE source = $1 AND external_id = $2");
  find.bind(1, t.source).bind(2, t.external_id);
  if (find.step()) r.id = find.int64(0);
  if (r.id == 0) {
    auto ins = db_->prepare(
        "INSERT INTO tracks (source, external_id, title, artist, album, duration_ms, popularity, valence, energy, "
        "tempo, "
        "danceability, acousticness, instrumentalness, loudness, speechiness, liveness, key, mode, mood_label) "
        "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19) RETURNING id");
    ins.bind(1, t.source).bind(2, t.external_id);
    bind_track_fields(ins, t, 3);
    ins.step();
    r.id = ins.int64(0);
    ins.reset();
    r.inserted = r.changed = true;
  } else {
    // Only rows whose values differ are written, so a re-import changes nothing.
    auto upd = db_->prepare(
        "UPDATE tracks SET title=$1, artist=$2, album=$3, duration_ms=$4, popularity=$5, valence=$6, energy=$7, "
        "tempo=$8, "
        "danceability=$9, acousticness=$10, instrumentalness=$11, loudness=$12, speechiness=$13, liveness=$14, "
        "key=$15, "
        "mode=$16, mood_label=$17 WHERE id=$18 AND (title IS DISTINCT FROM $1 OR artist IS DISTINCT FROM $2 OR "
        "album IS DISTINCT FROM $3 OR duration_ms IS DISTINCT FROM $4 OR popularity IS DISTINCT FROM $5 OR "
        "valence IS DISTINCT FROM $6 OR energy IS DISTINCT FROM $7 OR tempo IS DISTINCT FROM $8 OR "
        "danceability IS DISTINCT FROM $9 OR acousticness IS DISTINCT FROM $10 OR instrumentalness IS DISTINCT FROM "
        "$11 OR "
        "loudness IS DISTINCT FROM $12 OR speechiness IS DISTINCT FROM $13 OR liveness IS DISTINCT FROM $14 OR "
        "key IS DISTINCT FROM $15 OR mode IS DISTINCT FROM $16 OR mood_label IS DISTINCT FROM $17)");
    bind_track_fields(upd, t, 1);
    upd.bind(18, r.id);
    upd.run();
    r.changed = db_->changes() > 0;
  }
  auto g = db_->prepare("INSERT INTO track_genres (track_id, genre) VALUES ($1, $2) ON CONFLICT DO NOTHING");
  for (const auto& genre : t.genres) {
    if (genre.empty()) continue;
    g.bind(1, r.id).bind(2, genre);
    g.run();
    r.changed = r.changed || db_->changes() > 0;
  }
  return r;
}

std::vector<std::string> Catalog::genres_of(int64_t id) {
  std::vector<std::string> out;
  auto st = db_->prepare("SELECT genre FROM track_genres WHERE track_id = $1 ORDER BY genre");
  st.bind(1, id);
  while (st.step()) out.push_back(st.text(0));
  return out;
}

std::optional<Track> Catalog::find_track(int64_t id) {
  auto st = db_->prepare(std::string("SELECT ") + kTrackColumns + " FROM tracks WHERE id = $1");
  st.bind(1, id);
  return read_one(st);
}

std::optional<Track> Catalog::find_track(const std::string& source, const std::string& ext) {
  auto st =
      db_->prepare(std::string("SELECT ") + kTrackColumns + " FROM tracks WHERE source = $1 AND external_id = $2");
  st.bind(1, source).bind(2, ext);
  return read_one(st);
}

std::optional<Track> Catalog::read_one(Statement& st) {
  if (!st.step()) return std::nullopt;
  Track t = read_track(st);
  t.genres = genres_of(t.id);
  return t;
}

std::vector<Track> Catalog::all_tracks() {
  std::vector<Track> out;
  std::map<int64_t, size_t> at;
  auto st = db_->prepare(std::string("SELECT ") + kTrackColumns + " FROM tracks ORDER BY id");
  while (st.step()) {
    at[st.int64(0)] = out.size();
    out.push_back(read_track(st));
  }
  auto g = db_->prepare("SELECT track_id, genre FROM track_genres ORDER BY track_id, genre");
  while (g.step()) {
    auto it = at.find(g.int64(0));
    if (it != at.end()) out[it->second].genres.push_back(g.text(1));
  }
  return out;
}

int64_t Catalog::track_count() {
  auto st = db_->prepare("SELECT count(*) FROM tracks");
  st.step();
  return st.int64(0);
}

int64_t Catalog::catalog_version() {
  auto st = db_->prepare("SELECT value FROM meta WHERE key = 'catalog_version'");
  return st.step() ? st.int64(0) : 0;
}

CatalogStats Catalog::stats() {
  CatalogStats s;
  auto one = [&](const char* sql) {
    auto st = db_->prepare(sql);
    st.step();
    return st.int64(0);
  };
  s.tracks = one("SELECT count(*) FROM tracks");
  s.spotify = one("SELECT count(*) FROM tracks WHERE source = 'spotify'");
  s.local = one("SELECT count(*) FROM tracks WHERE source = 'local'");
  s.with_features = one("SELECT count(*) FROM tracks WHERE valence IS NOT NULL AND energy IS NOT NULL");
  s.listeners = one("SELECT count(*) FROM listeners");
  s.history = one("SELECT count(*) FROM history");
  auto g = db_->prepare("SELECT genre, count(*) AS n FROM track_genres GROUP BY genre ORDER BY n DESC, genre LIMIT 10");
  while (g.step()) s.top_genres.emplace_back(g.text(0), g.int64(1));
  auto im = db_->prepare("SELECT file, tracks FROM imports ORDER BY id");
  while (im.step()) s.imports.emplace_back(im.text(0), im.int64(1));
  return s;
}

int64_t Catalog::listener_id(const std::string& name) {
  if (name.empty()) throw DbError("listener name must not be empty");
  auto ins = db_->prepare("INSERT INTO listeners (name) VALUES ($1) ON CONFLICT DO NOTHING");
  ins.bind(1, name);
  ins.run();
  auto st = db_->prepare("SELECT id FROM listeners WHERE name = $1");
  st.bind(1, name);
  st.step();
  return st.int64(0);
}

void Catalog::record_feedback(const std::string& listener, int64_t track_id, FeedbackAction action,
                              const std::string& context, const std::string& mood) {
  retry_transient([&] { write_feedback(listener, track_id, action, context, mood); });
}

void Catalog::write_feedback(const std::string& listener, int64_t track_id, FeedbackAction action,
                             const std::string& context, const std::string& mood) {
  // Everything here commutes with other feedback (an append, additive
  // upserts), so concurrent likes of one track queue on its rows instead of
  // failing serialisation: with six writers on one listener, serializable
  // retries starved a write past its retry budget (seen in CI under ASan).
  Transaction tx(*db_, Isolation::kReadCommitted);
  std::optional<Track> t = find_track(track_id);
  if (!t) throw DbError("unknown track id " + std::to_string(track_id));
  const int64_t lid = listener_id(listener);
  // The consent is read in the same statement, so a withdrawal that
  // committed first is never overtaken.
  auto h = db_->prepare(
      "INSERT INTO history (listener_id, track_id, action, context, mood) VALUES ($1, $2, $3, $4, "
      "(SELECT CASE WHEN keep_mood_history = 1 THEN $5 ELSE '' END FROM listeners WHERE id = $1))");
  h.bind(1, lid).bind(2, track_id).bind(3, action_name(action)).bind(4, context).bind(5, mood);
  h.run();
  const double delta = preference_delta(action);  // preferences.h: the rule
  auto p = db_->prepare(
      "INSERT INTO preferences (listener_id, kind, key, weight) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (listener_id, kind, key) DO UPDATE SET weight = preferences.weight + excluded.weight");
  // One lock order for every writer (genres sorted), so two feedbacks on
  // tracks sharing genres cannot deadlock on each other's rows.
  std::vector<std::string> genres = t->genres;
  std::sort(genres.begin(), genres.end());
  genres.erase(std::unique(genres.begin(), genres.end()), genres.end());
  for (const auto& g : genres) p.bind(1, lid).bind(2, "genre").bind(3, g).bind(4, delta).run();
  p.bind(1, lid).bind(2, "artist").bind(3, t->artist).bind(4, delta).run();
  p.bind(1, lid).bind(2, "track").bind(3, std::to_string(track_id)).bind(4, delta).run();
  tx.commit();
}

std::vector<int64_t> Catalog::recent_tracks(const std::string& listener, int limit) {
  std::vector<int64_t> out;
  for (const auto& h : history(listener, limit)) out.push_back(h.track_id);
  return out;
}

std::vector<HistoryEntry> Catalog::history(const std::string& listener, int limit) {
  std::vector<HistoryEntry> out;
  auto st = db_->prepare(
      "SELECT h.track_id, h.action, h.at FROM history h JOIN listeners l ON l.id = h.listener_id WHERE l.name = $1 "
      "ORDER BY h.id DESC LIMIT $2");
  st.bind(1, listener).bind(2, limit);
  while (st.step()) out.push_back({st.int64(0), st.text(1), st.text(2)});
  return out;
}

ListenerProfile Catalog::listener_profile(const std::string& listener, int recent_window) {
  ListenerProfile who;
  auto st = db_->prepare(
      "SELECT p.kind, p.key, p.weight FROM preferences p JOIN listeners l ON l.id = p.listener_id WHERE l.name = $1");
  st.bind(1, listener);
  while (st.step()) {
    const std::string kind = st.text(0);
    if (kind == "genre")
      who.genres[st.text(1)] = st.real(2);
    else if (kind == "artist")
      who.artists[st.text(1)] = st.real(2);
    else if (kind == "track")
      who.tracks[std::stoll(st.text(1))] = st.real(2);
  }
  if (recent_window > 0) who.recent = recent_tracks(listener, recent_window);
  return who;
}

bool Catalog::writable() { return db_->writable(); }
int Catalog::schema_version() { return db_->schema_version(); }
const std::string& Catalog::name() const { return db_->name(); }

Transaction Catalog::transaction() { return Transaction(*db_); }

void Catalog::set_track_mood(int64_t track_id, double valence, double arousal) {
  if (valence < -1 || valence > 1 || arousal < -1 || arousal > 1)
    throw DbError("valence and arousal must be in [-1, 1]");
  auto st = db_->prepare("UPDATE tracks SET valence_override = $1, arousal_override = $2 WHERE id = $3");
  st.bind(1, valence).bind(2, arousal).bind(3, track_id);
  st.run();
  if (db_->changes() == 0) throw DbError("unknown track id " + std::to_string(track_id));
}

std::optional<LibraryFile> Catalog::library_file(const std::string& path) {
  auto st = db_->prepare("SELECT path, size, mtime_ns, analysis_version, track_id FROM library_files WHERE path = $1");
  st.bind(1, path);
  if (!st.step()) return std::nullopt;
  return LibraryFile{st.text(0), st.int64(1), st.int64(2), static_cast<int>(st.int64(3)), st.int64(4)};
}

void Catalog::record_library_file(const LibraryFile& f, const std::string& features_json) {
  auto st = db_->prepare(
      "INSERT INTO library_files (path, size, mtime_ns, analysis_version, track_id, features) VALUES "
      "($1,$2,$3,$4,$5,$6) "
      "ON CONFLICT (path) DO UPDATE SET size=$2, mtime_ns=$3, analysis_version=$4, track_id=$5, features=$6, "
      "scanned_at=$7");
  st.bind(1, f.path).bind(2, f.size).bind(3, f.mtime_ns).bind(4, f.analysis_version).bind(5, f.track_id);
  st.bind(6, features_json).bind(7, utc_now_text());
  st.run();
}

std::vector<Track> Catalog::played_tracks(const std::string& listener, int limit) {
  std::vector<Track> out;
  std::set<int64_t> seen;
  for (const auto& h : history(listener, 10000)) {
    if (h.action == "skip" || !seen.insert(h.track_id).second) continue;
    if (auto t = find_track(h.track_id)) out.push_back(std::move(*t));
    if (static_cast<int>(out.size()) >= limit) break;
  }
  return out;
}

void Catalog::add_library_root(const std::string& dir) {
  auto st = db_->prepare("INSERT INTO library_roots (path) VALUES ($1) ON CONFLICT (path) DO NOTHING");
  st.bind(1, dir);
  st.run();
}

std::vector<std::string> Catalog::library_roots() {
  auto st = db_->prepare("SELECT path FROM library_roots ORDER BY path");
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(0));
  return out;
}

void Catalog::record_import(const std::string& file, int64_t rows, int64_t tracks) {
  // One row per file; an unchanged re-import leaves it as it was.
  auto st = db_->prepare(
      "INSERT INTO imports (file, rows, tracks) VALUES ($1, $2, $3) ON CONFLICT (file) DO UPDATE SET rows = $2, "
      "tracks = $3, finished_at = $4 WHERE imports.rows IS DISTINCT FROM $2 OR imports.tracks IS DISTINCT FROM $3");
  st.bind(1, file).bind(2, rows).bind(3, tracks).bind(4, utc_now_text());
  st.run();
}

}  // namespace moodtune
