#include "vision/face_aligner.h"

#include <dlib/image_processing/shape_predictor.h>
#include <dlib/opencv/cv_image.h>
#include <dlib/serialize.h>

#include <cmath>
#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "vision/preprocess.h"

namespace moodtune {

struct FaceAligner::Model {
  dlib::shape_predictor predictor;
};

double EyeLine::roll_deg() const {
  return std::atan2(right.y - left.y, right.x - left.x) * 180.0 / 3.14159265358979323846;
}

FaceAligner::FaceAligner(const std::string& landmark_model) : model_(std::make_unique<Model>()) {
  if (!std::filesystem::is_regular_file(landmark_model))
    throw std::runtime_error(landmark_model +
                             " not found: install Debian's libdlib-data (apt-get install libdlib-data)");
  try {
    dlib::deserialize(landmark_model) >> model_->predictor;
  } catch (const std::exception& e) {
    throw std::runtime_error(landmark_model + ": not a dlib landmark model (" + e.what() + ")");
  }
  if (model_->predictor.num_parts() != 68)
    throw std::runtime_error(landmark_model + ": expected the 68-point model, found " +
                             std::to_string(model_->predictor.num_parts()) + " points");
}

FaceAligner::~FaceAligner() = default;

EyeLine FaceAligner::eyes(const cv::Mat& image, const cv::Rect& box) const {
  cv::Mat gray = to_gray(image);
  if ((box & cv::Rect(0, 0, gray.cols, gray.rows)).area() <= 0)
    throw std::invalid_argument("face box lies outside the image");
  if (!gray.isContinuous()) gray = gray.clone();
  dlib::cv_image<unsigned char> img(gray);
  const dlib::full_object_detection shape =
      model_->predictor(img, dlib::rectangle(box.x, box.y, box.x + box.width - 1, box.y + box.height - 1));
  auto centre = [&](unsigned long first) {
    cv::Point2f c(0, 0);
    for (unsigned long i = first; i < first + 6; ++i)
      c += cv::Point2f(static_cast<float>(shape.part(i).x()), static_cast<float>(shape.part(i).y()));
    return c * (1.0f / 6);
  };
  // Points 36-41 are the subject's right eye, in the image's left half.
  return {centre(36), centre(42)};
}

HeadRoll FaceAligner::roll(const cv::Mat& image, const cv::Rect& box, const RollParams& p) const {
  cv::Mat gray = to_gray(image);
  if ((box & cv::Rect(0, 0, gray.cols, gray.rows)).area() <= 0)
    throw std::invalid_argument("face box lies outside the image");
  // Work on the box and half its size around it, so turning stays cheap on
  // a large frame and the corners come from real pixels.
  const cv::Rect around = crop_region(box, 0.5f);
  const cv::Rect inside = around & cv::Rect(0, 0, gray.cols, gray.rows);
  cv::Mat region = gray(inside).clone();
  const cv::Rect local(box.x - inside.x, box.y - inside.y, box.width, box.height);
  const cv::Point2f centre(local.x + local.width / 2.0f, local.y + local.height / 2.0f);
  double deg = eyes(region, local).roll_deg();
  if (std::abs(deg) < p.upright_deg) return {deg, true};
  double step = 0;
  bool agreed = false;
  for (int i = 0; i < p.max_refits; ++i) {
    cv::Mat level;
    // A positive angle turns counter-clockwise on screen, which raises a
    // lower right eye: the turn that takes out a positive roll.
    cv::warpAffine(region, level, cv::getRotationMatrix2D(centre, deg, 1.0), region.size(), cv::INTER_LINEAR,
                   cv::BORDER_REPLICATE);
    step = eyes(level, local).roll_deg();
    deg += step;
    agreed = std::abs(step) <= p.agree_deg;
    if (agreed && p.stop_when_agreed) break;
  }
  return {deg, agreed && std::abs(deg) <= kMaxRollDeg};
}

}  // namespace moodtune
