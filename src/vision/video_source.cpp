#include "vision/video_source.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace moodtune {

bool is_camera_index(const std::string& source) {
  return !source.empty() && source.size() < 6 &&
         std::all_of(source.begin(), source.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

VideoSource::VideoSource(const std::string& source) : source_(source), camera_(is_camera_index(source)) {
  std::error_code ec;
  if (camera_)
    cap_.open(std::stoi(source));
  else if (std::filesystem::is_regular_file(source, ec))  // else OpenCV would try it as a URL or image pattern
    cap_.open(source);
}

std::string VideoSource::open_problem() const {
  std::error_code ec;
  if (camera_) return "camera " + source_ + " could not be opened (no such device, no permission, or busy)";
  if (!std::filesystem::is_regular_file(source_, ec)) return source_ + ": no such video file";
  return source_ + ": cannot open video (unsupported format or unreadable)";
}

double VideoSource::fps(double fallback) const {
  const double f = cap_.get(cv::CAP_PROP_FPS);
  return f > 1 && f < 1000 ? f : fallback;
}

bool VideoSource::read(cv::Mat& frame) { return cap_.read(frame) && !frame.empty(); }

}  // namespace moodtune
