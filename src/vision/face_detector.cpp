#include "vision/face_detector.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>
#include <stdexcept>

#include "vision/preprocess.h"

namespace moodtune {

// Implemented in dlib_detector.cpp (kept apart: dlib's headers are heavy).
std::unique_ptr<FaceDetector> make_dlib_detector(const DetectorParams& p);

namespace {

class CascadeDetector final : public FaceDetector {
 public:
  explicit CascadeDetector(const DetectorParams& p) : p_(p) {
    if (p_.max_side == 0) p_.max_side = 320;
    if (p_.cascade.empty())
      p_.cascade = p_.kind == "lbp" ? "/usr/share/opencv4/lbpcascades/lbpcascade_frontalface_improved.xml"
                                    : "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";
    if (!std::filesystem::exists(p_.cascade))
      throw std::runtime_error("face cascade not found: " + p_.cascade + " (install Debian's opencv-data)");
    if (!cascade_.load(p_.cascade)) throw std::runtime_error("cannot load face cascade " + p_.cascade);
  }
  std::string name() const override { return p_.kind; }

  std::vector<Detection> detect_in(const cv::Mat& image, cv::Rect roi, int min_side, int max_side) override {
    roi &= cv::Rect(0, 0, image.cols, image.rows);
    if (roi.width < 12 || roi.height < 12) return {};
    // Shrink the region so the smallest wanted face is ~32 px: comfortably
    // above the cascade's 24 px window, and few pixels to scan.
    double f = std::max(1.0, min_side / 32.0);
    cv::Mat gray, small;
    const cv::Mat sub = image(roi);
    if (sub.channels() == 1)
      gray = sub;
    else
      cv::cvtColor(sub, gray, sub.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
    if (f > 1.0)
      cv::resize(gray, small, cv::Size(), 1.0 / f, 1.0 / f, cv::INTER_AREA);
    else
      small = gray;
    const int lo = std::max(12, static_cast<int>(min_side / f)), hi = std::max(lo + 1, static_cast<int>(max_side / f));
    return run_cascade(small, f, roi.tl(), lo, hi, p_.min_neighbors);
  }

  std::vector<Detection> detect(const cv::Mat& image) override {
    // Coarse first: a scan of a copy where only large faces fit costs about a
    // quarter of the fine scan, and a webcam face is large; pay for the fine
    // scan only when the copy shows none (docs/detection.md, "Coarse first").
    // The largest faces are looked for on a smaller copy still ("Large faces
    // first").
    if (p_.coarse_face > p_.min_face) {
      const int longest = std::max(image.cols, image.rows);
      const cv::Size w = cascade_.getOriginalWindowSize();
      const int fine_side = p_.max_side > 0 ? std::min(longest, p_.max_side) : longest;
      for (const int face : {p_.large_face > p_.coarse_face ? p_.large_face : 0, p_.coarse_face}) {
        if (face <= 0) continue;
        // Scale so that a face of this size just fills the cascade window.
        const int side = static_cast<int>(std::lround(static_cast<double>(longest) * std::max(w.width, w.height) / face));
        if (side * 4 >= fine_side * 3) continue;  // it would save little
        std::vector<Detection> big = scan(image, side, face, p_.coarse_min_neighbors);
        if (!big.empty()) return big;
      }
    }
    return scan(image, p_.max_side, p_.min_face, p_.min_neighbors);
  }

 private:
  std::vector<Detection> scan(const cv::Mat& image, int max_side, int min_face, int min_neighbors) {
    double f = 1.0;
    cv::Mat gray = downscale_gray(image, max_side, f);
    return run_cascade(gray, f, {0, 0}, std::max(12, static_cast<int>(min_face / f)), 0, min_neighbors);
  }

  // Faces of lo..hi px (hi 0 = no limit) in `gray`, a copy shrunk by 1/f of
  // the region at `offset`, mapped back to full-image coordinates.
  std::vector<Detection> run_cascade(const cv::Mat& gray, double f, cv::Point offset, int lo, int hi,
                                     int min_neighbors) {
    // equalizeHist writes a new image: never modify the caller's frame.
    cv::Mat eq;
    cv::equalizeHist(gray, eq);
    std::vector<cv::Rect> boxes;
    std::vector<int> neighbours;
    cascade_.detectMultiScale(eq, boxes, neighbours, p_.scale_factor, min_neighbors, 0, cv::Size(lo, lo),
                              hi > 0 ? cv::Size(hi, hi) : cv::Size());
    std::vector<Detection> out;
    for (size_t i = 0; i < boxes.size(); ++i) {
      const cv::Rect& b = boxes[i];
      out.push_back({cv::Rect(offset.x + static_cast<int>(b.x * f), offset.y + static_cast<int>(b.y * f),
                              static_cast<int>(b.width * f), static_cast<int>(b.height * f)),
                     static_cast<float>(neighbours[i])});
    }
    suppress_overlaps(out);
    sort_largest_first(out);
    return out;
  }

  DetectorParams p_;
  cv::CascadeClassifier cascade_;
};

}  // namespace

std::vector<Detection> FaceDetector::detect_in(const cv::Mat& image, cv::Rect roi, int min_side, int max_side) {
  roi &= cv::Rect(0, 0, image.cols, image.rows);
  if (roi.empty()) return {};
  std::vector<Detection> out;
  for (Detection d : detect(image(roi))) {
    const int side = std::max(d.box.width, d.box.height);
    if (side < min_side || side > max_side) continue;
    d.box.x += roi.x;
    d.box.y += roi.y;
    out.push_back(d);
  }
  return out;
}

std::unique_ptr<FaceDetector> make_face_detector(const DetectorParams& p) {
  if (p.kind == "haar" || p.kind == "lbp") return std::make_unique<CascadeDetector>(p);
  if (p.kind == "dlib") return make_dlib_detector(p);
  throw std::invalid_argument("unknown detector '" + p.kind + "' (haar, lbp, dlib)");
}

void suppress_overlaps(std::vector<Detection>& dets, double max_overlap) {
  // Strongest first; a box is dropped when it covers more than max_overlap
  // of a kept one's area or of its own. Two real faces do not overlap that
  // much, while a cascade's false hit at another scale often straddles the
  // real face (and, being larger, would otherwise become "the" face).
  std::stable_sort(dets.begin(), dets.end(), [](const Detection& a, const Detection& b) { return a.score > b.score; });
  std::vector<Detection> kept;
  for (const Detection& d : dets) {
    const bool overlaps = std::any_of(kept.begin(), kept.end(), [&](const Detection& k) {
      const double inter = (d.box & k.box).area();
      return inter > max_overlap * std::min(d.box.area(), k.box.area());
    });
    if (!overlaps) kept.push_back(d);
  }
  dets = std::move(kept);
}

void sort_largest_first(std::vector<Detection>& dets) {
  std::stable_sort(dets.begin(), dets.end(),
                   [](const Detection& a, const Detection& b) { return a.box.area() > b.box.area(); });
}

}  // namespace moodtune
