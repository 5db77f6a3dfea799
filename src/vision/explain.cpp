#include "vision/explain.h"

#include <algorithm>
#include <numeric>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "vision/face_crop.h"
#include "vision/model_file.h"
#include "vision/net_input.h"
#include "vision/preprocess.h"

namespace moodtune {

Explanation explain_face(const EmotionClassifier& clf, const cv::Mat& face, const ExplainParams& p) {
  Explanation e;
  e.probs = clf.classify({face})[0];
  const int n = static_cast<int>(clf.classes().size());
  if (p.class_index >= n) throw std::invalid_argument("class index " + std::to_string(p.class_index) + " out of range");
  e.class_index = p.class_index >= 0 ? p.class_index : top_class(e.probs);
  torch::Tensor x = to_input({face}, clf.info().norm);
  EmotionNet net = clf.model().net;  // eval mode; the map's gradients do not touch the weights
  torch::Tensor cam = net->class_activation_map(x, e.class_index, p.stages_from_end)[0].contiguous();
  cv::Mat small(static_cast<int>(cam.size(0)), static_cast<int>(cam.size(1)), CV_32F, cam.data_ptr<float>());
  cv::resize(small, e.heat, face.size(), 0, 0, cv::INTER_LINEAR);  // copies out of the tensor
  double lo = 0, hi = 0;
  cv::minMaxLoc(e.heat, &lo, &hi);
  if (hi > 0) {
    e.heat = cv::max(e.heat, 0.0) / hi;  // Grad-CAM: positive evidence only
  } else {
    // No positive evidence anywhere (a few faces at this stage): show where
    // the evidence against is weakest, and say the map is only relative.
    e.weak = true;
    e.heat = hi > lo ? (e.heat - lo) / (hi - lo) : cv::Mat::zeros(e.heat.size(), CV_32F);
  }
  return e;
}

std::vector<FaceExplanation> explain_image(EmotionPipeline& pipe, const cv::Mat& image, const ExplainParams& p,
                                           bool whole_image) {
  const EmotionClassifier& clf = pipe.classifier();
  std::vector<FaceExplanation> out;
  if (whole_image) {
    const cv::Rect all(0, 0, image.cols, image.rows);
    out.push_back({all, all, explain_face(clf, prepare_crop(image, clf.info().net.input_size), p)});
    return out;
  }
  PreprocessParams pp = clf.preprocess();
  pp.margin = pipe.margin();
  for (const FaceResult& f : pipe.process(image).faces)
    out.push_back({f.box, crop_region(f.box, pp.margin), explain_face(clf, crop_face(image, f.box, pp), p)});
  return out;
}

namespace {
// Heat in [0,1] to BGR with OpenCV's perceptually ordered "turbo"-like map.
cv::Mat colour_map(const cv::Mat& heat) {
  cv::Mat u8, bgr;
  heat.convertTo(u8, CV_8U, 255.0);
  cv::applyColorMap(u8, bgr, cv::COLORMAP_JET);
  return bgr;
}
}  // namespace

cv::Mat draw_explanation(const cv::Mat& image, const cv::Rect& box, float margin, const Explanation& e,
                         const std::vector<std::string>& classes) {
  cv::Mat out;
  if (image.channels() == 1)
    cv::cvtColor(image, out, cv::COLOR_GRAY2BGR);
  else if (image.channels() == 4)
    cv::cvtColor(image, out, cv::COLOR_BGRA2BGR);
  else
    out = image.clone();
  // Small images (a 48 px crop) are enlarged so the picture is readable.
  const double up = std::max(1.0, 192.0 / std::max(1, std::min(out.cols, out.rows)));
  if (up > 1.0) {
    cv::resize(out, out, cv::Size(), up, up, cv::INTER_CUBIC);
    const cv::Rect big(cvRound(box.x * up), cvRound(box.y * up), cvRound(box.width * up), cvRound(box.height * up));
    return draw_explanation(out, big, margin, e, classes);
  }
  const cv::Rect region = crop_region(box, margin);
  const cv::Rect inside = region & cv::Rect(0, 0, out.cols, out.rows);
  if (inside.area() > 0) {
    cv::Mat heat;
    cv::resize(e.heat, heat, region.size(), 0, 0, cv::INTER_LINEAR);
    heat = heat(inside - region.tl());
    cv::Mat colours = colour_map(heat), roi = out(inside);
    // Blend more where the heat is higher, so cold areas stay readable.
    for (int y = 0; y < roi.rows; ++y)
      for (int x = 0; x < roi.cols; ++x) {
        const float a = 0.15f + 0.5f * heat.at<float>(y, x);
        auto& px = roi.at<cv::Vec3b>(y, x);
        const auto& c = colours.at<cv::Vec3b>(y, x);
        for (int k = 0; k < 3; ++k) px[k] = cv::saturate_cast<uchar>((1 - a) * px[k] + a * c[k]);
      }
  }
  const double scale = std::max(0.4, std::min(out.cols, out.rows) / 800.0);
  const int thick = std::max(1, static_cast<int>(scale * 2));
  cv::rectangle(out, box, cv::Scalar(60, 200, 60), thick);
  char label[96];
  std::snprintf(label, sizeof label, "why %s %.0f%%%s", classes.at(static_cast<size_t>(e.class_index)).c_str(),
                e.probs.at(static_cast<size_t>(e.class_index)) * 100.0, e.weak ? " (weak)" : "");
  int base = 0;
  const cv::Size ts = cv::getTextSize(label, cv::FONT_HERSHEY_SIMPLEX, scale, thick, &base);
  const cv::Point org(box.x, std::max(ts.height + 4, box.y - 4));
  cv::rectangle(out, cv::Rect(org.x, org.y - ts.height - 4, ts.width + 4, ts.height + base + 4), cv::Scalar(60, 200, 60),
                cv::FILLED);
  cv::putText(out, label, cv::Point(org.x + 2, org.y - 2), cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(0, 0, 0), thick);
  return out;
}

cv::Mat delete_pixels(const cv::Mat& face, const cv::Mat& mask) {
  // Blurred, not painted over: a patch of flat gray (or scattered gray
  // pixels) is itself a strong, unnatural signal, and the test would then
  // measure the model's reaction to it rather than to the lost detail.
  cv::Mat out = face.clone(), blurred;
  cv::GaussianBlur(face, blurred, cv::Size(), face.cols / 8.0);
  blurred.copyTo(out, mask);
  return out;
}

cv::Mat most_salient(const cv::Mat& heat, double fraction) {
  const int total = heat.rows * heat.cols;
  const int k = std::clamp(static_cast<int>(fraction * total + 0.5), 0, total);
  std::vector<int> order(static_cast<size_t>(total));
  std::iota(order.begin(), order.end(), 0);
  cv::Mat flat = heat.reshape(1, 1);
  // Ties (flat regions) are broken by position, so the mask is deterministic.
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return flat.at<float>(0, a) > flat.at<float>(0, b); });
  cv::Mat mask = cv::Mat::zeros(heat.size(), CV_8U);
  for (int i = 0; i < k; ++i) mask.at<uchar>(order[static_cast<size_t>(i)] / heat.cols, order[static_cast<size_t>(i)] % heat.cols) = 255;
  return mask;
}

}  // namespace moodtune
