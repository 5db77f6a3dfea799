#include "vision/demo_clip.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "common/emotions.h"
#include "vision/face_crop.h"
#include "vision/pipeline.h"
#include "vision/test_frame.h"

namespace moodtune {
namespace fs = std::filesystem;

namespace {
// Y4M (raw 4:2:0 frames) is what Chromium's fake camera reads.
class Y4mWriter {
 public:
  Y4mWriter(const std::string& path, cv::Size size, int fps) : out_(path, std::ios::binary) {
    out_ << "YUV4MPEG2 W" << size.width << " H" << size.height << " F" << fps << ":1 Ip A1:1 C420jpeg\n";
  }
  bool ok() const { return static_cast<bool>(out_); }
  bool close() {
    out_.close();
    return static_cast<bool>(out_);
  }
  void write(const cv::Mat& bgr) {
    cv::Mat yuv;
    cv::cvtColor(bgr, yuv, cv::COLOR_BGR2YUV_I420);
    out_ << "FRAME\n";
    out_.write(reinterpret_cast<const char*>(yuv.data), static_cast<std::streamsize>(yuv.total() * yuv.elemSize()));
  }

 private:
  std::ofstream out_;
};

// One emotion's face for the demo clip, composed into its frame. Without a
// model: the first readable file. With one: the faces the model reads as
// `cls` on their own, most confident first (one batch over the first 300),
// checked through the whole pipeline on the composed frame (the detector
// must find the face and the model still agree): the first at 80% or more,
// else the best of the ten checked, so a model with softer outputs still
// gets every emotion. An empty frame: none qualified.
struct DemoFace {
  cv::Mat frame;
  fs::path file;
  float confidence = -1;
};

DemoFace pick_demo_face(const std::vector<fs::path>& files, const std::string& cls, const EmotionClassifier* clf,
                        EmotionPipeline* pipeline, uint32_t seed) {
  std::vector<cv::Mat> faces;
  std::vector<size_t> file_of;
  for (size_t i = 0; i < files.size() && faces.size() < (pipeline ? 300u : 1u); ++i) {
    cv::Mat f = cv::imread(files[i].string(), cv::IMREAD_GRAYSCALE);
    if (f.empty()) continue;
    faces.push_back(f);
    file_of.push_back(i);
  }
  std::vector<std::pair<float, size_t>> order;  // (confidence on the face alone, index)
  if (!pipeline) {
    if (!faces.empty()) order.push_back({1.0f, 0});
  } else if (!faces.empty()) {
    std::vector<cv::Mat> crops;
    for (const auto& f : faces) crops.push_back(prepare_for_model(f, clf->preprocess()));
    const auto probs = clf->classify(crops);
    for (size_t i = 0; i < probs.size(); ++i) {
      const int top = top_class(probs[i]);
      if (clf->classes()[static_cast<size_t>(top)] == cls) order.push_back({probs[i][static_cast<size_t>(top)], i});
    }
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    if (order.size() > 10) order.resize(10);
  }
  DemoFace best;
  for (size_t k = 0; k < order.size() && best.confidence < 0.8f; ++k) {
    const size_t i = order[k].second;
    cv::Mat frame = compose_frame({faces[i]}, {640, 480}, seed).image;
    float confidence = 1;
    if (pipeline) {
      auto found = pipeline->process(frame).faces;
      if (found.size() != 1) continue;
      const Probs& p = found.front().probs;
      const int top = top_class(p);
      if (clf->classes()[static_cast<size_t>(top)] != cls) continue;
      confidence = p[static_cast<size_t>(top)];
    }
    if (confidence > best.confidence) best = {frame, files[file_of[i]], confidence};
  }
  return best;
}

// The clip is written beside `out` under a hidden name with the same
// extension (the writer picks its format by it) and renamed when complete.
class ClipWriter {
 public:
  ClipWriter(const std::string& out, int fps) : out_(out) {
    const fs::path o(out);
    fs::path name = o.stem();
    name += ".partial";
    name += o.extension();
    partial_ = (o.parent_path() / ".").string() + name.string();
    if (o.extension() == ".y4m") {
      y4m_ = std::make_unique<Y4mWriter>(partial_, cv::Size(640, 480), fps);
      if (!y4m_->ok()) throw std::runtime_error("cannot write video " + out);
    } else {
      avi_.open(partial_, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps, cv::Size(640, 480));
      if (!avi_.isOpened()) throw std::runtime_error("cannot write video " + out);
    }
  }
  ~ClipWriter() {
    if (committed_) return;
    avi_.release();
    y4m_.reset();
    std::error_code ec;
    fs::remove(partial_, ec);
  }
  void write(const cv::Mat& frame) {
    if (y4m_)
      y4m_->write(frame);
    else
      avi_.write(frame);
  }
  void commit() {
    avi_.release();
    const bool ok = !y4m_ || y4m_->close();
    y4m_.reset();
    if (!ok) throw std::runtime_error("write failed for " + out_ + " (disk full?)");
    fs::rename(partial_, out_);
    committed_ = true;
  }

 private:
  std::string out_, partial_;
  std::unique_ptr<Y4mWriter> y4m_;
  cv::VideoWriter avi_;
  bool committed_ = false;
};
}  // namespace

DemoClip make_demo_clip(const DemoClipParams& p) {
  // Checked here: OpenCV's writer reports these only as log noise.
  const fs::path out(p.out);
  if (out.extension() != ".avi" && out.extension() != ".y4m")
    throw std::invalid_argument(p.out + ": a demo clip is .avi (MJPEG) or .y4m (raw, for Chromium's fake camera)");
  if (std::error_code ec; !out.parent_path().empty() && !fs::is_directory(out.parent_path(), ec))
    throw std::invalid_argument(p.out + ": folder " + out.parent_path().string() + " does not exist");
  if (p.fps < 1 || p.fps > 60 || p.seconds_per_face < 1 || p.seconds_per_face > 60)
    throw std::invalid_argument("a demo clip has 1 to 60 frames per second and 1 to 60 seconds per face");
  const std::vector<std::string> emotions = p.emotions.empty() ? default_class_names() : p.emotions;
  std::vector<std::vector<fs::path>> files;
  for (const auto& cls : emotions) {
    const fs::path dir = fs::path(p.fer) / "val" / cls;
    if (emotion_index(cls) < 0 || !fs::is_directory(dir))
      throw std::invalid_argument("no faces for '" + cls + "' under " + dir.string());
    files.emplace_back();
    for (const auto& e : fs::directory_iterator(dir)) files.back().push_back(e.path());
    std::sort(files.back().begin(), files.back().end());
  }
  std::shared_ptr<const EmotionClassifier> clf;
  std::unique_ptr<EmotionPipeline> pipeline;
  if (!p.model.empty()) {
    clf = EmotionClassifier::load(p.model);
    pipeline = std::make_unique<EmotionPipeline>(clf);
  }
  ClipWriter writer(p.out, p.fps);
  DemoClip clip;
  for (size_t k = 0; k < emotions.size(); ++k) {
    const std::string& cls = emotions[k];
    const DemoFace pick =
        pick_demo_face(files[k], cls, clf.get(), pipeline.get(), static_cast<uint32_t>(clip.faces.size() + 1));
    if (pick.frame.empty()) {  // a demo missing an emotion would mislead: say so
      clip.left_out.push_back(
          "no face of '" + cls + "' in the first 300 of " + (fs::path(p.fer) / "val" / cls).string() +
          (pipeline ? " that the detector finds and the model reads as " + cls : std::string(" is readable")));
      continue;
    }
    for (int i = 0; i < p.seconds_per_face * p.fps; ++i) writer.write(pick.frame);
    clip.faces.push_back({cls, pick.file.string(), pipeline ? pick.confidence : -1.0f});
  }
  if (clip.faces.empty()) throw std::runtime_error("no usable faces under " + p.fer + "/val/<class>/");
  writer.commit();
  clip.seconds = static_cast<double>(clip.faces.size()) * p.seconds_per_face;
  return clip;
}

}  // namespace moodtune
