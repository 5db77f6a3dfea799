// face_quality.h — is a face crop good enough to trust its emotion? Dark,
// flat (back-lit, fogged) or blurred faces give unreliable answers: this
// measures brightness, contrast and sharpness of the crop the model sees,
// against thresholds chosen where accuracy falls (docs/quality.md).
//
//   cv::Mat face = moodtune::crop_face(frame, box, pp);       // 48x48 gray
//   moodtune::FaceQuality q = moodtune::measure_face_quality(face);
//   if (!q.ok()) show(q.hint());        // "too dark — turn on a light"
//   tracker_weight = q.weight();        // poor frames count less in the mood
//
// Pure functions, thread-safe.
#pragma once
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace moodtune {

// Where the validation accuracy fell by 10 points or more under darkening,
// contrast loss and blur (moodtune-dev face-quality, docs/quality.md).
struct QualityThresholds {
  float min_brightness = 20.0f;  // mean gray, 0-255 (measured: 19.8)
  float min_contrast = 10.5f;    // standard deviation of gray (10.7)
  float min_sharpness = 0.04f;   // variance of the Laplacian / variance of the image (0.038)
  float poor_weight = 0.25f;     // a poor frame's weight in the smoothed mood
};

struct FaceQuality {
  float brightness = 0, contrast = 0, sharpness = 0;
  bool dark = false, flat = false, blurry = false;
  bool ok() const { return !dark && !flat && !blurry; }
  // The problems, most actionable first: "too dark", "low contrast", "blurred".
  std::vector<std::string> issues() const;
  // A hint for the listener; empty when ok().
  std::string hint() const;
  float weight = 1.0f;  // in the smoothed mood: 1, or poor_weight when not ok()
};

// `face`: a gray crop (crop_face output).
FaceQuality measure_face_quality(const cv::Mat& face, const QualityThresholds& t = {});

}  // namespace moodtune
