#include "vision/pipeline.h"

#include <chrono>
#include <cstdio>
#include <opencv2/imgproc.hpp>

#include "vision/face_crop.h"

namespace moodtune {
namespace {
double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

EmotionPipeline::EmotionPipeline(std::shared_ptr<const EmotionClassifier> clf, PipelineParams p)
    : clf_(std::move(clf)), p_(std::move(p)), det_(make_face_detector(p_.detector)), detector_name_(det_->name()) {}

std::vector<Detection> EmotionPipeline::detect_near(const cv::Mat& frame, const std::vector<cv::Rect>& hints) {
  std::vector<Detection> dets;
  for (const cv::Rect& h : hints) {
    const int side = std::max(h.width, h.height), grow = static_cast<int>(side * p_.roi_grow);
    cv::Rect roi(h.x - grow, h.y - grow, h.width + 2 * grow, h.height + 2 * grow);
    auto found = det_->detect_in(frame, roi, static_cast<int>(side * 0.7), static_cast<int>(side * 1.4) + 1);
    if (found.empty()) return {};  // lost it: the caller scans the whole frame
    dets.push_back(found.front());
  }
  sort_largest_first(dets);
  return dets;
}

FrameResult EmotionPipeline::process(const cv::Mat& frame, const std::vector<cv::Rect>& hints) {
  FrameResult r;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<Detection> dets;
  if (!hints.empty() && frame.cols > 0) dets = detect_near(frame, hints);
  r.times.full_scan = dets.empty();
  if (dets.empty()) dets = det_->detect(frame);
  if (static_cast<int>(dets.size()) > p_.max_faces) dets.resize(static_cast<size_t>(p_.max_faces));
  r.times.detect_ms = ms_since(t0);

  auto t1 = std::chrono::steady_clock::now();
  PreprocessParams pp = clf_->preprocess();
  pp.margin = p_.margin;
  std::vector<cv::Mat> crops;
  crops.reserve(dets.size());
  for (const Detection& d : dets) crops.push_back(crop_for_model(frame, d.box, pp));
  r.times.crop_ms = ms_since(t1);

  auto t2 = std::chrono::steady_clock::now();
  std::vector<Probs> probs = clf_->classify(crops, p_.tta);
  r.times.classify_ms = ms_since(t2);
  for (size_t i = 0; i < dets.size(); ++i) {
    FaceResult f;
    f.box = dets[i].box;
    f.probs = probs[i];
    f.emotion = top_class(probs[i]);
    f.detector_score = dets[i].score;
    f.quality = measure_face_quality(crops[i]);
    r.faces.push_back(std::move(f));
  }
  if (p_.baseline.faces > 0 && !r.faces.empty()) {
    FaceResult& main = r.faces.front();  // detections come largest first
    main.probs = calibrate(main.probs, p_.baseline, p_.calibration);
    main.emotion = top_class(main.probs);
    main.calibrated = true;
  }
  r.times.total_ms = ms_since(t0);
  return r;
}

void EmotionPipeline::set_baseline(Baseline b) {
  const size_t classes = clf_->classes().size();
  if (b.faces > 0 && (b.probs.size() != classes || b.logits.size() != classes))
    throw std::invalid_argument("the baseline has " + std::to_string(b.probs.size()) + " classes, the model " +
                                std::to_string(classes));
  p_.baseline = std::move(b);
}

void draw_faces(cv::Mat& image, const std::vector<FaceResult>& faces, const std::vector<std::string>& classes) {
  if (image.channels() == 1) cv::cvtColor(image, image, cv::COLOR_GRAY2BGR);
  const double scale = std::max(0.4, std::min(image.cols, image.rows) / 800.0);
  const int thick = std::max(1, static_cast<int>(scale * 2));
  for (const FaceResult& f : faces) {
    const cv::Scalar colour(60, 200, 60);
    cv::rectangle(image, f.box, colour, thick);
    char label[64];
    const std::string name =
        f.emotion >= 0 && f.emotion < static_cast<int>(classes.size()) ? classes[static_cast<size_t>(f.emotion)] : "?";
    std::snprintf(label, sizeof label, "%s %.0f%%", name.c_str(),
                  f.emotion >= 0 ? f.probs[static_cast<size_t>(f.emotion)] * 100.0 : 0.0);
    int base = 0;
    cv::Size ts = cv::getTextSize(label, cv::FONT_HERSHEY_SIMPLEX, scale, thick, &base);
    cv::Point org(f.box.x, std::max(ts.height + 4, f.box.y - 4));
    cv::rectangle(image, cv::Rect(org.x, org.y - ts.height - 4, ts.width + 4, ts.height + base + 4), colour,
                  cv::FILLED);
    cv::putText(image, label, cv::Point(org.x + 2, org.y - 2), cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(0, 0, 0),
                thick);
  }
}

std::vector<FaceTrack> track_faces(FaceTracker& tracker, const FrameResult& r) {
  std::vector<cv::Rect> boxes;
  std::vector<std::vector<float>> probs;
  std::vector<FaceQuality> qualities;
  for (const auto& f : r.faces) {
    boxes.push_back(f.box);
    probs.push_back(f.probs);
    qualities.push_back(f.quality);
  }
  return tracker.update(boxes, probs, qualities);
}

int main_face(const std::vector<FaceTrack>& tracks) {
  int best = -1;
  for (size_t i = 0; i < tracks.size(); ++i)
    if (best < 0 || tracks[i].box.area() > tracks[static_cast<size_t>(best)].box.area()) best = static_cast<int>(i);
  return best;
}

}  // namespace moodtune
