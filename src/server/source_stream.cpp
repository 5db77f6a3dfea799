#include "server/source_stream.h"

#include <algorithm>
#include <opencv2/imgcodecs.hpp>

#include "server/api_json.h"
#include "vision/face_tracker.h"
#include "vision/video_source.h"

namespace moodtune {

SourceStream::SourceStream(std::string source, std::shared_ptr<const EmotionClassifier> clf, PipelineParams params)
    : source_(std::move(source)), clf_(std::move(clf)), params_(std::move(params)) {
  snap_.status = "starting";
}

SourceStream::~SourceStream() { stop(); }

void SourceStream::start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { run(); });
}

void SourceStream::stop() {
  stop_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

SourceSnapshot SourceStream::latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return snap_;
}

SourceSnapshot SourceStream::wait_next(uint64_t after_seq, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return snap_.seq > after_seq || stop_; });
  return snap_;
}

void SourceStream::publish(std::shared_ptr<const std::string> jpeg, std::string event, const std::string& status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++snap_.seq;
    if (jpeg) snap_.jpeg = std::move(jpeg);
    snap_.event_json = std::move(event);
    snap_.status = status;
  }
  cv_.notify_all();
}

void SourceStream::run() {
  EmotionPipeline pipeline(clf_, params_);
  FaceTracker tracker;
  const auto& classes = clf_->classes();
  std::vector<float> mood;
  auto wait = [&](std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, d, [&] { return stop_.load(); });
  };
  auto status_event = [&](const std::string& status) {
    nlohmann::json ev = {{"status", status},
                         {"faces", nlohmann::json::array()},
                         {"mood", mood_json(mood, mood.empty() ? "none" : "camera", classes)}};
    publish(nullptr, ev.dump(), status);
  };
  while (!stop_) {
    VideoSource cap(source_);
    if (!cap.is_open()) {
      status_event("unavailable: " + cap.open_problem() + "; retrying every second");
      wait(std::chrono::seconds(1));
      continue;
    }
    const double fps = cap.fps(10);
    auto frame_period = std::chrono::microseconds(static_cast<int64_t>(1e6 / std::min(fps, 120.0)));
    cv::Mat frame;
    auto next_due = std::chrono::steady_clock::now();
    int frames = 0;
    while (!stop_ && cap.read(frame)) {
      ++frames;
      FrameResult r = pipeline.process(frame, tracker.search_hints());
      auto tracks = track_faces(tracker, r);
      nlohmann::json faces = nlohmann::json::array();
      std::vector<FaceResult> drawn;
      for (const auto& t : tracks) {
        faces.push_back(face_json(t, classes));
        FaceResult f;
        f.box = t.box;
        f.probs = t.smoothed;
        f.emotion = top_class(t.smoothed);
        drawn.push_back(f);
      }
      if (int m = main_face(tracks); m >= 0) mood = tracks[static_cast<size_t>(m)].smoothed;
      draw_faces(frame, drawn, classes);
      std::vector<uchar> buf;
      cv::imencode(".jpg", frame, buf, {cv::IMWRITE_JPEG_QUALITY, 80});
      nlohmann::json ev = {{"status", "playing"},
                           {"faces", faces},
                           {"mood", mood_json(mood, mood.empty() ? "none" : "camera", classes)},
                           {"ms", r.times.total_ms}};
      publish(std::make_shared<const std::string>(buf.begin(), buf.end()), ev.dump(), "playing");
      if (!cap.is_camera()) {  // play files at their own speed
        next_due += frame_period;
        auto now = std::chrono::steady_clock::now();
        if (next_due > now)
          wait(std::chrono::duration_cast<std::chrono::milliseconds>(next_due - now));
        else
          next_due = now;
      }
    }
    if (stop_) break;
    if (cap.is_camera()) {
      status_event("unavailable: camera " + source_ + " stopped delivering frames; retrying every second");
      wait(std::chrono::seconds(1));
    } else {
      status_event(frames == 0 ? "unavailable: " + source_ + " has no readable frames; retrying every second"
                               : "ended, restarting");
      wait(std::chrono::milliseconds(frames == 0 ? 1000 : 200));
    }
  }
}

}  // namespace moodtune
