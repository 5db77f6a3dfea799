#include "vision/test_frame.h"

#include <opencv2/imgproc.hpp>
#include <random>
#include <stdexcept>

#include "vision/preprocess.h"

namespace moodtune {

ComposedFrame compose_frame(const std::vector<cv::Mat>& faces, cv::Size size, uint32_t seed, int side) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> tone(60, 190);
  // A vertical gradient plus low-frequency blobs: something like a room.
  cv::Mat bg(size, CV_8UC3);
  const int top = tone(rng), bottom = tone(rng);
  for (int y = 0; y < size.height; ++y) {
    const int v = top + (bottom - top) * y / std::max(1, size.height - 1);
    bg.row(y).setTo(cv::Scalar(v, v * 0.95, v * 0.9));
  }
  std::uniform_int_distribution<int> px(0, size.width - 1), py(0, size.height - 1), pr(20, 120);
  for (int i = 0; i < 6; ++i)
    cv::circle(bg, {px(rng), py(rng)}, pr(rng), cv::Scalar(tone(rng), tone(rng), tone(rng)), cv::FILLED);
  cv::GaussianBlur(bg, bg, cv::Size(0, 0), 15);
  cv::Mat noise(size, CV_8UC3);
  cv::randn(noise, cv::Scalar::all(0), cv::Scalar::all(6));
  bg += noise;

  ComposedFrame out;
  const int n = static_cast<int>(faces.size());
  for (int i = 0; i < n; ++i) {
    cv::Mat g = to_gray(faces[static_cast<size_t>(i)]), padded, scaled, bgr;
    // FER2013 crops cut the forehead and chin; detectors look for a whole
    // head, so extend the crop by its own edge pixels (15% a side).
    const int pad = std::max(1, g.cols * 15 / 100);
    cv::copyMakeBorder(g, padded, pad, pad, pad, pad, cv::BORDER_REPLICATE);
    cv::resize(padded, scaled, cv::Size(side, side), 0, 0, cv::INTER_CUBIC);
    cv::cvtColor(scaled, bgr, cv::COLOR_GRAY2BGR);
    // Spread faces evenly across the width, centred vertically.
    const int slot = size.width / n;
    cv::Rect r(slot * i + (slot - side) / 2, (size.height - side) / 2, side, side);
    if ((r & cv::Rect(0, 0, size.width, size.height)) != r)
      throw std::invalid_argument("compose_frame: faces do not fit");
    bgr.copyTo(bg(r));
    // The box of the face itself, inside the padding.
    const int inner = side * pad / padded.cols;
    out.boxes.push_back(cv::Rect(r.x + inner, r.y + inner, side - 2 * inner, side - 2 * inner));
  }
  out.image = bg;
  return out;
}

}  // namespace moodtune
