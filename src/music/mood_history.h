// mood_history.h — a listener's mood over days, kept only with their
// consent: per-day means of the camera mood (no frame, no face, no time of
// day) and which tracks they liked or skipped in which mood. The catalog
// stores it (Catalog::add_mood_sample, mood_days, feedback_by_mood,
// forget_listener); these are the plain values it hands out.
//
//   cat.set_mood_history_consent("ana", true);
//   cat.add_mood_sample("ana", local_day(std::time(nullptr)), probs, va.valence, va.arousal);
//   for (const MoodDay& d : cat.mood_days("ana", days_ago(14)))
//     std::cout << d.day << " " << emotion_name(d.top()) << "\n";
//
// Without consent nothing is kept: add_mood_sample is a no-op and feedback
// carries no mood. Withdrawing consent stops keeping; what was kept stays
// until the listener deletes it (forget_listener).
#pragma once
#include <array>
#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "common/emotions.h"
#include "music/track.h"

namespace moodtune {

// How often a session's mood becomes a sample at most: a day's row is a
// mean over samples, and one per 10 s keeps an hour at 360 rows' worth of
// sums while following moods that change within a minute.
inline constexpr int kMoodSampleSeconds = 10;

// One day of a listener's mood: the means over that day's samples.
struct MoodDay {
  std::string day;  // YYYY-MM-DD, the server's local date
  int64_t samples = 0;
  std::array<double, kNumEmotions> share{};  // mean probability, kEmotionNames order
  double valence = 0, arousal = 0;           // mean, in [-1, 1]
  int top() const;                           // the emotion with the largest share
};

// A track the listener liked or skipped while in `mood` (the top emotion of
// their session's mood at the time), with how often.
struct MoodFeedback {
  std::string mood;
  Track track;
  int64_t likes = 0, skips = 0;
};

// A listener's mood history as the page and `moodtune history` show it.
struct MoodHistoryReport {
  bool keep = false;                  // the listener consents to keeping it
  std::vector<MoodDay> days;          // days with samples, oldest first
  std::vector<MoodFeedback> by_mood;  // liked or skipped tracks per mood
};

// What forget_listener removed.
struct ForgetReport {
  int64_t days = 0;      // mood_days rows
  int64_t feedback = 0;  // likes, skips and plays
  int64_t preferences = 0;
  int64_t baselines = 0;  // calibration (0 or 1)
};

// The local calendar date of `t` as YYYY-MM-DD, and that of n days before now.
std::string local_day(std::time_t t);
std::string days_ago(int n);

}  // namespace moodtune
