#include "vision/face_crop.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace moodtune {

const FaceAligner& shared_face_aligner() {
  static const FaceAligner aligner;  // C++11 statics: loaded once, thread-safe
  return aligner;
}

double level_angle(const HeadRoll& r, const PreprocessParams& pp) {
  return pp.level_eyes && r.reliable && std::abs(r.deg) >= pp.min_roll_deg ? r.deg : 0.0;
}

namespace {
double roll_to_level(const cv::Mat& image, const cv::Rect& box, const PreprocessParams& pp) {
  return pp.level_eyes ? level_angle(shared_face_aligner().roll(image, box), pp) : 0.0;
}
}  // namespace

cv::Mat crop_for_model(const cv::Mat& image, const cv::Rect& box, const PreprocessParams& pp) {
  return crop_face(image, box, pp, roll_to_level(image, box, pp));
}

cv::Mat prepare_for_model(const cv::Mat& image, const PreprocessParams& pp) {
  if (!pp.level_eyes) return prepare_crop(image, pp.input_size);
  constexpr int kMinSide = 192;  // ~ the face size the landmark model knows
  cv::Mat gray = to_gray(image);
  if (std::min(gray.cols, gray.rows) < kMinSide) {
    const double f = static_cast<double>(kMinSide) / std::min(gray.cols, gray.rows);
    cv::resize(gray, gray, cv::Size(), f, f, cv::INTER_CUBIC);
  }
  const cv::Rect whole(0, 0, gray.cols, gray.rows);
  const double roll = roll_to_level(gray, whole, pp);
  if (roll == 0.0) return prepare_crop(image, pp.input_size);
  PreprocessParams whole_image = pp;
  whole_image.margin = 0;
  return crop_face(gray, whole, whole_image, roll);
}

}  // namespace moodtune
