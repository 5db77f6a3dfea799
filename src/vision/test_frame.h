// test_frame.h — a webcam-like frame around a real face crop, for tests and
// benchmarks that need "a 640x480 frame with one real face".
//
//   cv::Mat face = cv::imread("val/happy/PublicTest_1.jpg", cv::IMREAD_GRAYSCALE);
//   cv::Mat frame = moodtune::compose_frame({face}, {640, 480}, 7);
//
// Each face (extended by 15% edge padding, since FER2013 crops cut the
// forehead and chin) is scaled to `face_side` pixels and placed on a smooth,
// seed-dependent background with mild noise (a flat background would make
// detection unrealistically easy). Pure function; thread-safe.
#pragma once
#include <cstdint>
#include <opencv2/core.hpp>
#include <vector>

namespace moodtune {

struct ComposedFrame {
  cv::Mat image;                // BGR
  std::vector<cv::Rect> boxes;  // where each face (without padding) was pasted
};

ComposedFrame compose_frame(const std::vector<cv::Mat>& faces, cv::Size size = {640, 480}, uint32_t seed = 1,
                            int face_side = 180);

}  // namespace moodtune
