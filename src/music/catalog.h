// catalog.h — the music catalog: tracks with audio features, listeners,
// listening history, feedback and learned preferences, in SQLite (a file
// path, the embedded default) or PostgreSQL (a postgresql:// URL, shared by
// several server instances).
//
//   moodtune::Catalog cat("moodtune.db");          // creates and migrates
//   moodtune::Track t; t.source = "spotify"; t.external_id = "6f80..."; ...
//   int64_t id = cat.upsert_track(t).id;
//   cat.record_feedback("ana", id, moodtune::FeedbackAction::kLike);
//
// The schema is catalog_schema.h (numbered migrations, applied on open).
// Learned preferences follow the rule in preferences.h. Foreign keys
// are on. Feedback is committed before record_feedback returns, so an
// acknowledged like survives a crash; PostgreSQL serialisation conflicts
// are retried. One Catalog is one connection: use it from one thread at a
// time (CatalogPool hands them out to many).
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "music/catalog_schema.h"
#include "music/mood_history.h"
#include "music/preferences.h"
#include "music/track.h"
#include "storage/database.h"

namespace moodtune {

struct CatalogStats {
  int64_t tracks = 0, spotify = 0, local = 0, listeners = 0, history = 0, with_features = 0;
  std::vector<std::pair<std::string, int64_t>> top_genres;
  std::vector<std::pair<std::string, int64_t>> imports;  // file -> tracks
};

// A scanned local audio file: what it looked like when it was analysed.
struct LibraryFile {
  std::string path;  // absolute
  int64_t size = 0, mtime_ns = 0;
  int analysis_version = 0;
  int64_t track_id = 0;
};

class Catalog {
 public:
  static constexpr int kSchemaVersion = kCatalogSchemaVersion;
  // `location`: a SQLite file path or a postgresql:// URL (open_database).
  explicit Catalog(const std::string& location, bool read_only = false);

  struct UpsertResult {
    int64_t id = 0;
    bool inserted = false, changed = false;
  };
  // Insert, or update the track with the same (source, external_id); genres
  // are merged, never dropped.
  UpsertResult upsert_track(const Track& t);
  std::optional<Track> find_track(int64_t id);
  std::optional<Track> find_track(const std::string& source, const std::string& external_id);
  std::vector<Track> all_tracks();
  int64_t track_count();
  int64_t catalog_version();  // changes whenever tracks change (for caches)
  CatalogStats stats();

  int64_t listener_id(const std::string& name);  // creates on first use
  // Writes history and updates learned preferences in one transaction.
  // `mood`, the emotion the listener was in, is kept only while they consent
  // to a mood history. Throws DbError for an unknown track id.
  void record_feedback(const std::string& listener, int64_t track_id, FeedbackAction action,
                       const std::string& context = {}, const std::string& mood = {});
  std::vector<int64_t> recent_tracks(const std::string& listener, int limit);
  std::vector<HistoryEntry> history(const std::string& listener, int limit);  // newest first
  // Tracks the listener played or liked (not skipped), newest first, once each.
  std::vector<Track> played_tracks(const std::string& listener, int limit);
  // Learned weights (preferences.h) and the track ids of the latest
  // `recent_window` history entries; empty for an unknown listener.
  ListenerProfile listener_profile(const std::string& listener, int recent_window);
  // Mood history (mood_history.h), kept only while the listener consents.
  void set_mood_history_consent(const std::string& listener, bool keep);
  bool mood_history_consent(const std::string& listener);  // false for an unknown listener
  // Adds one sample (7 probabilities, kEmotionNames order) to the listener's
  // `day`; false, and nothing written, without their consent.
  bool add_mood_sample(const std::string& listener, const std::string& day, const std::vector<float>& probs,
                       double valence, double arousal);
  std::vector<MoodDay> mood_days(const std::string& listener, const std::string& since_day);  // oldest first
  // Liked or skipped tracks per mood, most liked first, `per_mood` at most each.
  std::vector<MoodFeedback> feedback_by_mood(const std::string& listener, int per_mood);
  // Consent, the last `days` days (today included) and 5 tracks per mood.
  MoodHistoryReport mood_history(const std::string& listener, int days);
  // Deletes everything kept about the listener's moods and listening: mood
  // days, likes, skips and plays, and what was learned from them. Consent
  // is left as it was; a calibration baseline goes too. One transaction.
  ForgetReport forget_listener(const std::string& listener);

  // A listener's calibration baseline: the model it was made with and its
  // JSON (vision/calibration.h; the catalog does not read it). The caller
  // asks for consent before storing it. A new one replaces the old;
  // forget_listener deletes it too.
  struct StoredBaseline {
    std::string model, json, created_at;  // created_at: UTC, YYYY-MM-DD HH:MM:SS
  };
  void set_listener_baseline(const std::string& listener, const std::string& model, const std::string& json);
  std::optional<StoredBaseline> listener_baseline(const std::string& listener);
  bool delete_listener_baseline(const std::string& listener);  // false when there was none

  // A listener's mood correction for a track (valence/arousal in [-1, 1]).
  void set_track_mood(int64_t track_id, double valence, double arousal);

  std::optional<LibraryFile> library_file(const std::string& path);
  void record_library_file(const LibraryFile& f, const std::string& features_json);

  // Folders given to `library scan`: local files are served only from
  // under one of them (stored as given; compare real paths).
  void add_library_root(const std::string& dir);
  std::vector<std::string> library_roots();
  void record_import(const std::string& file, int64_t rows, int64_t tracks);

  // Groups writes (an import, a scanned file with its track) so they land
  // together or not at all: commit() the result, or let it roll back.
  Transaction transaction();
  bool writable();  // false on a read-only file system or with read_only
  int schema_version();
  // The file path, or the URL without its password: for messages.
  const std::string& name() const;

 private:
  void write_feedback(const std::string& listener, int64_t track_id, FeedbackAction action, const std::string& context,
                      const std::string& mood);
  std::vector<std::string> genres_of(int64_t id);
  std::optional<Track> read_one(Statement& st);  // first row with its genres
  std::unique_ptr<Database> db_;
};

}  // namespace moodtune
