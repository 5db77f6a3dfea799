// face_detector.h — face detection behind one interface, with real
// implementations: OpenCV's Haar cascade (default), OpenCV's LBP cascade and
// dlib's HOG detector.
//
//   moodtune::DetectorParams dp;                 // haar, tuned for 640x480
//   auto det = moodtune::make_face_detector(dp); // throws if the cascade is missing
//   for (const moodtune::Detection& d : det->detect(frame)) draw(d.box);
//
// Both detectors downscale the frame so that its longest side is at most
// `max_side` before detecting (detection cost grows with pixel count, and a
// webcam face is large), then map the boxes back to frame coordinates.
// Thread safety: a detector object is NOT safe to share between threads
// (OpenCV's cascade keeps scratch buffers); create one per worker thread.
#pragma once
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace moodtune {

struct Detection {
  cv::Rect box;       // in the coordinates of the image passed to detect()
  float score = 0.f;  // haar: neighbour count; dlib: SVM margin
};

struct DetectorParams {
  // "haar" (default), "lbp" (OpenCV's LBP cascade: faster, a little less
  // accurate) or "dlib" (HOG + linear SVM).
  std::string kind = "haar";
  std::string cascade;  // XML for haar/lbp; empty = the frontal-face cascade of opencv-data
  // Defaults chosen for 640x480 webcam frames by recall first, then speed
  // (docs/detection.md): a 320 px detection image with a 1.1 pyramid step
  // found 74% of hard, upscaled FER2013 faces; 256 px or a 1.2 step were
  // faster but missed a third to a half of them.
  double scale_factor = 1.1;  // cascade pyramid step
  int min_neighbors = 5;      // cascade: higher = fewer false positives
  int min_face = 64;          // smallest face side in original pixels
  int max_side = 0;           // downscale longest side to this; 0 = per-kind default (cascades 320, dlib 480)
  // Cascades, coarse first: look only for faces of at least coarse_face
  // pixels, on a copy scaled so such a face just fills the cascade's window
  // (128 px wide for a 640 px frame and Haar's 24 px window), and run the
  // fine scan down to min_face only if that finds none. That copy costs
  // about a quarter of the fine scan, and a webcam listener's face is large
  // (150-300 px at arm's length), so most frames cost a fraction of a fine
  // scan, and recall never drops below it for a frame with one face. The
  // coarse grid gives a true face fewer overlapping hits, hence its own,
  // lower neighbour count (0 false faces on 140 textured backgrounds,
  // docs/detection.md). 0 = fine scan only (photos where small faces stand
  // beside a large one: a coarse hit skips the small ones).
  int coarse_face = 120;
  int coarse_min_neighbors = 2;
  // Before that, the same for faces of at least large_face pixels, on a
  // copy half the size (64 px for a 640 px frame): a face that fills a
  // good part of the frame runs deep into the cascade at every window
  // around it, so the 128 px copy costs 6-10 ms on a sharp camera frame
  // with a 300 px face and the 64 px copy 1-2 ms (docs/detection.md,
  // "Large faces first"). 0 = skip this pass; it is skipped too when
  // coarse_face is 0 or large_face is not above it.
  int large_face = 240;
  double dlib_threshold = 0.0;  // dlib: adjust_threshold (lower finds more)
};

class FaceDetector {
 public:
  virtual ~FaceDetector() = default;
  // Faces in an 8-bit gray or BGR(A) image, largest first. Throws
  // std::invalid_argument for an empty image.
  virtual std::vector<Detection> detect(const cv::Mat& image) = 0;
  // Faces inside `roi` (clipped to the image) whose side is between min_side
  // and max_side pixels, in full-image coordinates, largest first. Video
  // uses this to look again only where a face just was (see
  // FaceTracker::search_hints): a fraction of a full scan's cost. The default
  // runs detect() on the region; cascades override it with a scan limited
  // to those sizes.
  virtual std::vector<Detection> detect_in(const cv::Mat& image, cv::Rect roi, int min_side, int max_side);
  virtual std::string name() const = 0;
};

std::unique_ptr<FaceDetector> make_face_detector(const DetectorParams& params = {});

// Keeps the strongest (by score) of detections that overlap by more than
// max_overlap of the smaller box: one face, not two. Cascades apply it.
void suppress_overlaps(std::vector<Detection>& dets, double max_overlap = 0.5);

// Sorts detections by box area, largest first (the order detect() returns).
void sort_largest_first(std::vector<Detection>& dets);

}  // namespace moodtune
