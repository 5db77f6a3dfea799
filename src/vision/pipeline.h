// pipeline.h — frame in, faces with emotions out: detect, crop, classify.
//
//   auto clf = moodtune::EmotionClassifier::load(model_path);
//   moodtune::EmotionPipeline pipe(clf);              // haar by default
//   moodtune::FrameResult r = pipe.process(frame);    // r.faces, r.times
//   moodtune::draw_faces(frame, r.faces, clf->classes());
//
// The classifier (weights) is shared; the pipeline owns a detector, which is
// not thread-safe, so use one EmotionPipeline per worker thread. Temporal
// smoothing is separate (FaceTracker), one per stream or browser session.
#pragma once
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "vision/calibration.h"
#include "vision/emotion_classifier.h"
#include "vision/face_detector.h"
#include "vision/face_quality.h"
#include "vision/face_tracker.h"

namespace moodtune {

struct PipelineParams {
  DetectorParams detector;
  float margin = 0.1f;  // crop margin around each box (see PreprocessParams)
  bool tta = false;     // test-time augmentation (6 views, ~3x classify time)
  int max_faces = 8;    // largest faces first; the rest are ignored
  // With hints (video): search a hint box grown by roi_grow x its side on
  // each edge, for faces 0.7x to 1.4x its size; any miss falls back to a
  // full scan of the frame.
  float roi_grow = 0.5f;
  // One person's neutral face (calibration.h; baseline_photos.h makes one):
  // when set (faces > 0), the largest face of each frame, taken to be that
  // person, is judged against it. Other faces are left as they are.
  Baseline baseline;
  CalibrationParams calibration;
};

struct FaceResult {
  cv::Rect box;
  Probs probs;
  int emotion = -1;  // argmax of probs
  float detector_score = 0;
  int track_id = 0;         // set by callers that track; 0 = untracked
  FaceQuality quality;      // of the crop the model saw (face_quality.h)
  bool calibrated = false;  // probs adjusted by PipelineParams::baseline
};

struct StageTimes {
  double detect_ms = 0, crop_ms = 0, classify_ms = 0, total_ms = 0;
  bool full_scan = true;  // false when the hints sufficed
};

struct FrameResult {
  std::vector<FaceResult> faces;
  StageTimes times;
};

class EmotionPipeline {
 public:
  explicit EmotionPipeline(std::shared_ptr<const EmotionClassifier> clf, PipelineParams p = {});
  // hints: where faces were in the previous frame (FaceTracker::search_hints);
  // empty = scan the whole frame.
  FrameResult process(const cv::Mat& frame, const std::vector<cv::Rect>& hints = {});
  const EmotionClassifier& classifier() const { return *clf_; }
  const std::string& detector_name() const { return detector_name_; }
  float margin() const { return p_.margin; }  // of each face crop
  // Sets or (faces == 0) clears PipelineParams::baseline. Throws
  // std::invalid_argument when it does not fit the model's classes.
  void set_baseline(Baseline b);

 private:
  std::vector<Detection> detect_near(const cv::Mat& frame, const std::vector<cv::Rect>& hints);
  std::shared_ptr<const EmotionClassifier> clf_;
  PipelineParams p_;
  std::unique_ptr<FaceDetector> det_;
  std::string detector_name_;
};

// Feeds one frame's faces to a stream's tracker: the one place where frame
// results become smoothed tracks (CLI watch, the server's sessions and video
// source, benchmarks). Returns the tracks matched in this frame.
std::vector<FaceTrack> track_faces(FaceTracker& tracker, const FrameResult& r);
// The listener among several faces: the largest box. -1 when there are none.
int main_face(const std::vector<FaceTrack>& tracks);

// Boxes and "label 87%" captions drawn onto a BGR image (gray is converted).
void draw_faces(cv::Mat& image, const std::vector<FaceResult>& faces, const std::vector<std::string>& classes);

}  // namespace moodtune
