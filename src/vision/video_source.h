// video_source.h — frames from a camera or a video file, named the way a
// person types it: all digits is a camera index ("0"), anything else a file.
//
//   moodtune::VideoSource src("0");
//   if (!src.is_open()) throw std::runtime_error(src.open_problem());
//   cv::Mat frame;
//   while (src.read(frame)) pipeline.process(frame);
//
// One thread at a time (it owns an OpenCV capture).
#pragma once
#include <opencv2/videoio.hpp>
#include <string>

namespace moodtune {

// True for a camera index (non-empty, all digits).
bool is_camera_index(const std::string& source);

class VideoSource {
 public:
  explicit VideoSource(const std::string& source);
  bool is_open() const { return cap_.isOpened(); }
  bool is_camera() const { return camera_; }
  // What to tell a person when is_open() is false.
  std::string open_problem() const;
  // Frames per second the source states, or `fallback` when it states none
  // that is plausible (cameras and some files report 0 or nonsense).
  double fps(double fallback) const;
  // The next frame; false at the end (or when a camera stops delivering).
  bool read(cv::Mat& frame);

 private:
  std::string source_;
  bool camera_;
  cv::VideoCapture cap_;
};

}  // namespace moodtune
