#include "vision/face_quality.h"

#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace moodtune {

std::vector<std::string> FaceQuality::issues() const {
  std::vector<std::string> out;
  if (dark) out.push_back("too dark");
  if (flat) out.push_back("low contrast");
  if (blurry) out.push_back("blurred");
  return out;
}

std::string FaceQuality::hint() const {
  if (dark) return "too dark — turn on a light";
  if (flat) return "low contrast — light your face from the front, not from behind";
  if (blurry) return "blurred — hold still or clean the camera";
  return {};
}

FaceQuality measure_face_quality(const cv::Mat& face, const QualityThresholds& t) {
  if (face.empty() || face.type() != CV_8UC1) throw std::invalid_argument("face quality needs a gray 8-bit crop");
  FaceQuality q;
  cv::Scalar mean, sd;
  cv::meanStdDev(face, mean, sd);
  q.brightness = static_cast<float>(mean[0]);
  q.contrast = static_cast<float>(sd[0]);
  // Relative to the image's own variance, so darkness and low contrast do
  // not count as blur too.
  cv::Mat lap;
  cv::Laplacian(face, lap, CV_32F);
  cv::Scalar lm, lsd;
  cv::meanStdDev(lap, lm, lsd);
  q.sharpness = static_cast<float>(lsd[0] * lsd[0] / std::max(1.0, sd[0] * sd[0]));
  q.dark = q.brightness < t.min_brightness;
  q.flat = q.contrast < t.min_contrast;
  q.blurry = q.sharpness < t.min_sharpness;
  q.weight = q.ok() ? 1.0f : t.poor_weight;
  return q;
}

}  // namespace moodtune
