// dlib's HOG + linear SVM frontal face detector (Dalal & Triggs features,
// trained on dlib's own face set); needs no model file.
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/opencv/cv_image.h>

#include <algorithm>

#include "vision/face_detector.h"
#include "vision/preprocess.h"

namespace moodtune {

namespace {
class DlibDetector final : public FaceDetector {
 public:
  explicit DlibDetector(const DetectorParams& p) : p_(p), det_(dlib::get_frontal_face_detector()) {
    if (p_.max_side == 0) p_.max_side = 480;
  }
  std::string name() const override { return "dlib"; }
  std::vector<Detection> detect(const cv::Mat& image) override {
    double f = 1.0;
    cv::Mat gray = downscale_gray(image, p_.max_side, f);
    if (!gray.isContinuous()) gray = gray.clone();
    dlib::cv_image<unsigned char> img(gray);
    std::vector<dlib::rect_detection> dets;
    det_(img, dets, p_.dlib_threshold);
    std::vector<Detection> out;
    for (const auto& d : dets) {
      const dlib::rectangle& r = d.rect;
      cv::Rect box(static_cast<int>(r.left() * f), static_cast<int>(r.top() * f), static_cast<int>(r.width() * f),
                   static_cast<int>(r.height() * f));
      if (box.width < p_.min_face) continue;
      out.push_back({box, static_cast<float>(d.detection_confidence)});
    }
    sort_largest_first(out);
    return out;
  }

 private:
  DetectorParams p_;
  dlib::frontal_face_detector det_;
};
}  // namespace

std::unique_ptr<FaceDetector> make_dlib_detector(const DetectorParams& p) { return std::make_unique<DlibDetector>(p); }

}  // namespace moodtune
