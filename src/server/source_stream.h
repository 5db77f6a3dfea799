// source_stream.h — server-side video source for kiosks and demos
// (`moodtune serve --source FILE|CAMERA_INDEX`): a thread reads frames,
// runs the emotion pipeline with smoothing, and keeps the latest annotated
// JPEG and mood event for the MJPEG and server-sent-event endpoints.
//
//   moodtune::SourceStream src("demo.avi", classifier, {});
//   src.start();
//   auto snap = src.wait_next(last_seq, std::chrono::seconds(2));
//   if (snap.jpeg) write(*snap.jpeg);
//
// A video file that ends starts again from the beginning; a camera that
// fails or disappears is retried every second, and the status says so
// ("playing", "ended, restarting", "unavailable: ..."). Frames stay in
// memory. Thread-safe; stop() (or the destructor) joins the thread.
#pragma once
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "vision/pipeline.h"

namespace moodtune {

struct SourceSnapshot {
  uint64_t seq = 0;                         // increases with every processed frame
  std::shared_ptr<const std::string> jpeg;  // annotated frame; null before the first
  std::string event_json;                   // {"seq", "status", "faces", "mood"}
  std::string status;
};

class SourceStream {
 public:
  SourceStream(std::string source, std::shared_ptr<const EmotionClassifier> clf, PipelineParams params = {});
  ~SourceStream();
  void start();
  void stop();
  SourceSnapshot latest() const;
  // Returns as soon as a frame newer than `after_seq` exists, or at timeout
  // (or stop) with the latest state.
  SourceSnapshot wait_next(uint64_t after_seq, std::chrono::milliseconds timeout) const;
  const std::string& source() const { return source_; }

 private:
  void run();
  void publish(std::shared_ptr<const std::string> jpeg, std::string event, const std::string& status);
  std::string source_;
  std::shared_ptr<const EmotionClassifier> clf_;
  PipelineParams params_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  SourceSnapshot snap_;
};

}  // namespace moodtune
