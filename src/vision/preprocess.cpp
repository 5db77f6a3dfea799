#include "vision/preprocess.h"

#include <cmath>
#include <cstring>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace moodtune {

cv::Mat to_gray(const cv::Mat& image) {
  if (image.empty()) throw std::invalid_argument("empty image");
  if (image.depth() != CV_8U) throw std::invalid_argument("only 8-bit images are supported");
  cv::Mat gray;
  switch (image.channels()) {
    case 1: return image;
    case 3: cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY); return gray;
    case 4: cv::cvtColor(image, gray, cv::COLOR_BGRA2GRAY); return gray;
    default: throw std::invalid_argument("unsupported channel count " + std::to_string(image.channels()));
  }
}

cv::Mat downscale_gray(const cv::Mat& image, int max_side, double& to_original) {
  cv::Mat gray = to_gray(image);
  to_original = 1.0;
  const int longest = std::max(gray.cols, gray.rows);
  if (max_side <= 0 || longest <= max_side) return gray;
  const double f = static_cast<double>(max_side) / longest;
  cv::Mat out;
  cv::resize(gray, out, cv::Size(), f, f, cv::INTER_AREA);
  to_original = 1.0 / f;
  return out;
}

cv::Rect crop_region(const cv::Rect& box, float margin) {
  const int mx = static_cast<int>(static_cast<float>(box.width) * margin + 0.5f);
  const int my = static_cast<int>(static_cast<float>(box.height) * margin + 0.5f);
  return {box.x - mx, box.y - my, box.width + 2 * mx, box.height + 2 * my};
}

namespace {
// The gray pixels of `want`, edges replicated where it leaves the image, so
// a face at the border keeps its position in the crop.
cv::Mat padded_gray(const cv::Mat& image, const cv::Rect& want) {
  const cv::Rect inside = want & cv::Rect(0, 0, image.cols, image.rows);
  cv::Mat region = to_gray(image(inside));
  if (inside != want)
    cv::copyMakeBorder(region, region, inside.y - want.y, want.br().y - inside.br().y, inside.x - want.x,
                       want.br().x - inside.br().x, cv::BORDER_REPLICATE);
  return region;
}

cv::Mat to_input_size(const cv::Mat& region, int s) {
  cv::Mat out;
  cv::resize(region, out, cv::Size(s, s), 0, 0, region.cols > s ? cv::INTER_AREA : cv::INTER_LINEAR);
  return out;
}

void check_box(const cv::Mat& image, const cv::Rect& box) {
  if (image.empty()) throw std::invalid_argument("empty image");
  if ((box & cv::Rect(0, 0, image.cols, image.rows)).area() <= 0)
    throw std::invalid_argument("face box lies outside the image");
}
}  // namespace

cv::Mat crop_face(const cv::Mat& image, const cv::Rect& box, const PreprocessParams& pp) {
  check_box(image, box);
  return to_input_size(padded_gray(image, crop_region(box, pp.margin)), pp.input_size);
}

cv::Mat crop_face(const cv::Mat& image, const cv::Rect& box, const PreprocessParams& pp, double roll_deg) {
  if (roll_deg == 0) return crop_face(image, box, pp);
  check_box(image, box);
  const cv::Rect want = crop_region(box, pp.margin);
  // Rotate a larger square around the crop so its corners come from real
  // pixels, then cut the crop out of its middle at full resolution (the
  // resize to the input size stays an area average).
  const int pad = static_cast<int>(std::ceil(0.5 * (std::hypot(want.width, want.height) -
                                                    std::min(want.width, want.height)))) + 1;
  const cv::Mat region = padded_gray(image, {want.x - pad, want.y - pad, want.width + 2 * pad, want.height + 2 * pad});
  const cv::Point2f centre(static_cast<float>(region.cols - 1) / 2, static_cast<float>(region.rows - 1) / 2);
  cv::Mat level;
  cv::warpAffine(region, level, cv::getRotationMatrix2D(centre, roll_deg, 1.0), region.size(), cv::INTER_LINEAR,
                 cv::BORDER_REPLICATE);
  return to_input_size(level(cv::Rect(pad, pad, want.width, want.height)), pp.input_size);
}

cv::Mat prepare_crop(const cv::Mat& image, int input_size) {
  cv::Mat gray = to_gray(image);
  if (gray.cols == input_size && gray.rows == input_size) return gray;
  cv::Mat out;
  cv::resize(gray, out, cv::Size(input_size, input_size), 0, 0,
             gray.cols > input_size ? cv::INTER_AREA : cv::INTER_LINEAR);
  return out;
}

}  // namespace moodtune
