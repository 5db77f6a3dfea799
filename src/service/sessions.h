// sessions.h — per-browser-session state: the face tracker that smooths
// emotions over frames, the session's mood and its last minute of history,
// and a manual mood the listener picked.
//
//   moodtune::SessionStore store;
//   auto s = store.get(cookie_id);            // creates on first use
//   std::lock_guard<std::mutex> lock(s->mu);
//   s->tracker.update(boxes, probs);
//
// Sessions live in memory only and expire after `idle_timeout`; nothing in
// them is written to disk. The store is thread-safe; a Session's fields are
// guarded by its own mutex.
#pragma once
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "vision/face_tracker.h"

namespace moodtune {

struct MoodSample {
  int64_t t_ms = 0;  // wall clock, ms since the epoch
  std::vector<float> probs;
};

struct Session {
  std::mutex mu;
  std::string id;
  FaceTracker tracker;
  std::vector<float> camera_mood;            // smoothed probs of the main face; empty = none yet
  std::optional<std::vector<float>> manual;  // a listener's choice wins while set
  std::deque<MoodSample> history;            // the last `history_window`
  std::chrono::steady_clock::time_point last_seen = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_mood_sample{};  // for the mood history
  // Set by a login: the session may use the API of a server with a token,
  // and only as this listener (their likes, skips and history).
  bool logged_in = false;
  std::string listener;  // empty = not bound to one
  // A calibration being captured (MoodService::add_calibration_frame): the
  // classifier's probabilities of each accepted frame's face, never the frame.
  std::vector<std::vector<float>> calibration_faces;
  std::chrono::steady_clock::time_point calibration_last{};

  // The mood recommendations use: manual if set, else the camera's.
  const std::vector<float>& mood() const { return manual ? *manual : camera_mood; }
  const char* mood_source() const { return manual ? "manual" : camera_mood.empty() ? "none" : "camera"; }
  void record(std::vector<float> probs, std::chrono::seconds window = std::chrono::seconds(60));
};

class SessionStore {
 public:
  // adopt_ids: behind a load balancer, a session made by another instance
  // arrives here unknown; with adopt_ids a well-formed id (32 lowercase hex
  // digits, the server's own format) is kept, so the listener's session
  // continues on this instance (its smoothing restarts from the next
  // frames) instead of being replaced.
  explicit SessionStore(std::chrono::seconds idle_timeout = std::chrono::minutes(30), size_t max_sessions = 10000,
                        bool adopt_ids = false)
      : idle_timeout_(idle_timeout), max_sessions_(max_sessions), adopt_ids_(adopt_ids) {}
  // The session with this id; an empty or unknown id gets a new session with
  // a fresh random id (ids are chosen by servers, not clients; see adopt_ids).
  std::shared_ptr<Session> get(const std::string& id);
  std::shared_ptr<Session> find(const std::string& id);  // nullptr if unknown
  // A login: `old_id`'s session (if any) is dropped and a new one with a
  // fresh id takes its place, so an id seen before the login is worth
  // nothing after it (session fixation).
  std::shared_ptr<Session> rotate(const std::string& old_id);
  void drop(const std::string& id);
  void set_adopt_ids(bool on) {
    std::lock_guard<std::mutex> lock(mu_);
    adopt_ids_ = on;
  }
  size_t size();

 private:
  void expire_locked();
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Session>> sessions_;
  std::chrono::seconds idle_timeout_;
  size_t max_sessions_;
  bool adopt_ids_;
};

// True for ids in the format SessionStore makes: 32 lowercase hex digits.
bool well_formed_session_id(const std::string& id);

}  // namespace moodtune
