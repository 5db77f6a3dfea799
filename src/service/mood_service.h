// mood_service.h — what moodtune does for a listener, free of any transport:
// frames in, smoothed faces and mood out; recommendations for a session's
// mood; feedback, history, health and the audio file of a track. The HTTP
// routes (server/), the CLI and the benchmarks call it and only parse and
// format.
//
//   moodtune::ServiceParams sp;
//   sp.model_path = "models/default.mtm";  sp.db_path = "moodtune.db";
//   moodtune::MoodService svc(sp);                 // throws if either cannot be opened
//   moodtune::SessionStore sessions;
//   auto s = sessions.get("");
//   moodtune::FrameObservation o = svc.observe_frame(*s, frame);   // o.tracks, o.mood
//   moodtune::RecommendAnswer a = svc.recommend_for(s.get(), {});  // the session's mood
//
// Failures the caller should show the user are ServiceError with a kind
// (bad input, not found, unavailable) and a message fit to show; nothing
// from the storage layer escapes. Thread safety: every member may be called
// from many threads at once; a Session is locked by the service while it
// reads or changes it.
#pragma once
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "music/mood_history.h"
#include "music/recommender.h"
#include "service/sessions.h"
#include "vision/explain.h"
#include "vision/pipeline.h"

namespace moodtune {

class CatalogPool;

struct ServiceParams {
  std::string db_path;     // catalog: SQLite file or postgresql:// URL (required)
  int db_connections = 8;  // catalog connections shared by callers
  std::string model_path;  // emotion model file(s), comma-separated for an ensemble (required)
  PipelineParams pipeline;
  int pipelines = 0;  // frames processed at once (0 = one per core)
};

class ServiceError : public std::runtime_error {
 public:
  enum class Kind { kBadInput, kNotFound, kUnavailable };
  ServiceError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// One frame seen by one session.
struct FrameObservation {
  std::vector<FaceTrack> tracks;  // faces matched in this frame, smoothed
  std::vector<float> mood;        // the session's mood after this frame (manual wins)
  std::string mood_source;        // "manual" | "camera" | "none"
  bool calibrated = false;        // the main face was judged against the listener's baseline
  StageTimes times;
};

// A listener's calibration (vision/calibration.h) as the service keeps it.
struct CalibrationStatus {
  bool active = false;       // their main face is judged against their baseline
  bool other_model = false;  // one is stored, made with another model: calibrate again
  int faces = 0;             // frames it was made from
  std::string created_at;    // UTC, YYYY-MM-DD HH:MM:SS
  std::vector<float> probs;  // what the model saw in the relaxed face, the classifier's order
};

// One frame of a calibration capture.
struct CalibrationProgress {
  int accepted = 0;     // frames kept so far in this capture
  int needed = 0;       // frames a baseline needs
  std::string problem;  // why this frame was not kept, for the person ("" = kept)
};

struct RecommendQuery {
  Strategy strategy = Strategy::kMatch;
  int n = 10;
  std::string listener;                     // empty = the service's default listener
  std::optional<std::vector<float>> probs;  // a mood given with the query; else the session's
};

struct RecommendAnswer {
  std::vector<float> probs;  // the mood recommended for
  std::string mood_source;   // "query" | "manual" | "camera" | "default"
  Strategy strategy = Strategy::kMatch;
  std::string listener;
  std::vector<Recommendation> tracks;
};

struct HealthReport {
  bool degraded = false;          // the catalog cannot be reached
  std::optional<int64_t> tracks;  // when it can
  std::string db = "ok";          // ok | read-only (feedback not saved) | unavailable
};

// A catalogued local file, open for reading: a regular file, opened without
// following a symbolic link, so replacing a track's file by a link to
// another file (say /etc/passwd) does not serve that file. The descriptor
// closes with the last copy.
struct AudioFile {
  std::shared_ptr<const int> fd;
  std::string content_type;
  uint64_t size = 0;  // from the open file, not the catalog
};

class MoodService {
 public:
  explicit MoodService(ServiceParams p, std::string default_listener = "you");
  ~MoodService();
  MoodService(const MoodService&) = delete;
  MoodService& operator=(const MoodService&) = delete;

  const std::vector<std::string>& classes() const;
  std::shared_ptr<const EmotionClassifier> classifier() const;
  const std::string& default_listener() const { return default_listener_; }

  // Detects and classifies on a pooled pipeline, feeds the session's
  // tracker, and makes the largest face the session's camera mood (kept in
  // the mood history of the session's listener, or the default listener,
  // if they consent; a storage failure there does not fail the frame).
  FrameObservation observe_frame(Session& s, const cv::Mat& frame);
  // Grad-CAM heat maps for each face in a frame (vision/explain.h), on a
  // pooled pipeline; nothing is smoothed, kept or stored.
  std::vector<FaceExplanation> explain_frame(const cv::Mat& frame, const ExplainParams& p);
  // A mood the listener picked (cleared with nullopt). Throws kBadInput
  // unless probs are 7 finite, non-negative numbers with a positive sum.
  void set_manual_mood(Session& s, std::optional<std::vector<float>> probs);
  // Query mood first, else the session's (s may be null), else neutral.
  RecommendAnswer recommend_for(Session* s, const RecommendQuery& q);
  // Committed before it returns. kNotFound for an unknown track. `mood`
  // (the emotion the listener is in) is kept only with their consent.
  void record_feedback(const std::string& listener, int64_t track, FeedbackAction action,
                       const std::string& context = {}, const std::string& mood = {});
  // Mood history, kept only with consent: observe_frame adds the session's
  // camera mood to its listener's day every kMoodSampleSeconds at most.
  MoodHistoryReport mood_history(const std::string& listener, int days = 14);
  void set_mood_history_consent(const std::string& listener, bool keep);
  // Deletes the listener's mood days, likes, skips and plays and what was
  // learned from them (Catalog::forget_listener).
  ForgetReport forget_listener(const std::string& listener);
  std::vector<HistoryEntry> history(const std::string& listener, int limit = 100);
  // What the listener played or liked (not skipped), newest first, once each.
  std::vector<Track> played_tracks(const std::string& listener, int limit = 100);
  // Calibration for `listener` (the session's): frames of them looking
  // relaxed are checked (baseline_photos.h) and their faces' probabilities
  // gathered in the session, in memory; save_calibration then stores the
  // mean as the listener's baseline, with their consent, and from then on
  // observe_frame judges the main face of the listener's sessions against
  // it. Frames are never kept, only the mean probabilities. A capture
  // restarts with `restart` or after kCalibrationIdle without frames.
  static constexpr int kCalibrationFrames = 5;
  static constexpr int kCalibrationMaxFrames = 60;
  static constexpr std::chrono::seconds kCalibrationIdle{30};
  CalibrationProgress add_calibration_frame(Session& s, const cv::Mat& frame, bool restart);
  // kBadInput without consent, with too few frames, or when the frames
  // together look clearly expressive; the capture is used up either way.
  CalibrationStatus save_calibration(Session& s, const std::string& listener, bool consent);
  CalibrationStatus calibration(const std::string& listener);
  bool remove_calibration(const std::string& listener);  // false when there was none
  HealthReport health();
  // A local track's file; kNotFound for unknown ids, Spotify tracks and
  // files that are gone.
  AudioFile audio_file(int64_t track);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string default_listener_;
};

// Transactions retried after a transient database conflict, process-wide.
int64_t catalog_retries();

// 7 finite, non-negative probabilities with a positive sum; else kBadInput.
void check_probs(const std::vector<float>& probs);

}  // namespace moodtune
