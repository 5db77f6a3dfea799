// face_tracker.h — per-face tracks across video frames with an exponential
// moving average of the class probabilities, so the reported emotion does
// not flicker from frame to frame.
//
//   moodtune::FaceTracker tracker;                 // one per video stream / session
//   auto tracks = tracker.update(boxes, probs);    // each frame
//   for (auto& t : tracks) show(t.id, t.box, t.smoothed);
//
// Matching: greedy by IoU (highest first), with a centre-distance fallback
// for fast movement. A track that goes unmatched for more than max_missed
// frames is dropped. Not thread-safe: one tracker per stream.
#pragma once
#include <opencv2/core.hpp>
#include <vector>

#include "vision/face_quality.h"

namespace moodtune {

struct TrackerParams {
  float min_iou = 0.3f;          // a box matches a track above this overlap
  float max_centre_dist = 0.5f;  // ...or when centres are closer than this x box side
  float alpha = 0.35f;           // EMA weight of the newest frame (1 = no smoothing)
  int max_missed = 8;            // frames a track survives without a match
  int full_scan_every = 10;      // search_hints() is empty every Nth frame (new faces appear)
};

struct FaceTrack {
  int id = 0;
  cv::Rect box;
  std::vector<float> probs;     // this frame's raw probabilities
  std::vector<float> smoothed;  // EMA over the track's frames
  int frames = 0;               // frames with a match
  int missed = 0;               // consecutive frames without one
  FaceQuality quality;          // of this frame's crop
};

class FaceTracker {
 public:
  explicit FaceTracker(TrackerParams p = {}) : p_(p) {}
  // boxes[i] has probabilities probs[i]. Returns the tracks matched in this
  // frame (missed tracks are kept internally but not returned). qualities
  // (empty = all good) weigh each frame in the EMA: a poor one moves the
  // smoothed probabilities by alpha x its weight.
  std::vector<FaceTrack> update(const std::vector<cv::Rect>& boxes, const std::vector<std::vector<float>>& probs,
                                const std::vector<FaceQuality>& qualities = {});
  const std::vector<FaceTrack>& all_tracks() const { return tracks_; }
  // Where to look in the next frame: boxes of the faces seen in this one.
  // Empty (meaning: scan the whole frame) before the first face, after a
  // frame that lost one, and every full_scan_every frames so newcomers are
  // found.
  std::vector<cv::Rect> search_hints() const;
  void reset() { tracks_.clear(); }

 private:
  TrackerParams p_;
  std::vector<FaceTrack> tracks_;
  int next_id_ = 1;
  int updates_ = 0;
};

float iou(const cv::Rect& a, const cv::Rect& b);

}  // namespace moodtune
