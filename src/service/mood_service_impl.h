// mood_service_impl.h — MoodService's private state, shared by the files
// that implement it (mood_service.cpp, calibration_service.cpp). Not a
// public header.
#pragma once
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "music/catalog_pool.h"
#include "music/mood.h"
#include "service/mood_service.h"
#include "vision/calibration.h"

namespace moodtune {

// Storage failures become the one error kind callers map to "try later".
// A lost or refused connection names the database's address, which is the
// operator's business: that detail goes to the log, the caller gets the gist.
template <typename F>
auto with_catalog_errors(const std::string& what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const DbUnavailable& e) {
    std::cerr << "catalog: " << e.what() << "\n";
    throw ServiceError(ServiceError::Kind::kUnavailable,
                       what + "the catalog database is unreachable or saturated; try again");
  } catch (const DbError& e) {
    throw ServiceError(ServiceError::Kind::kUnavailable, what + e.what());
  }
}

// An id of the model file(s) `paths` (comma-separated) by their contents.
std::string model_fingerprint(const std::string& paths);

struct MoodService::Impl {
  ServiceParams p;
  std::shared_ptr<const EmotionClassifier> clf;

  std::mutex pool_mu;
  std::condition_variable pool_cv;
  std::vector<std::unique_ptr<EmotionPipeline>> pool;

  // Requests borrow catalog connections from the pool; recommendations rank
  // on a shared immutable track index, with no lock held while ranking.
  std::unique_ptr<CatalogPool> catalogs;
  TrackIndexCache track_index;

  // Frames go on when the history cannot be written: the listener loses
  // a sample, not their camera.
  void keep_mood_sample(const std::string& listener, const std::vector<float>& probs) {
    try {
      const auto& classes = clf->classes();
      const VA va = mood_from_probs(probs, classes);
      // The history keeps kEmotionNames' order whatever the model's.
      std::vector<float> named(kNumEmotions, 0.0f);
      for (size_t i = 0; i < classes.size() && i < probs.size(); ++i)
        if (int e = emotion_index(classes[i]); e >= 0) named[static_cast<size_t>(e)] = probs[i];
      catalogs->acquire(std::chrono::milliseconds(200))
          ->add_mood_sample(listener, local_day(std::time(nullptr)), named, va.valence, va.arousal);
    } catch (const std::exception& e) {
      std::cerr << "mood history: sample not kept: " << e.what() << "\n";
    }
  }

  // Runs f on a borrowed pipeline (detector + shared classifier).
  template <typename F>
  auto with_pipeline(F&& f) {
    std::unique_ptr<EmotionPipeline> pipe;
    {
      std::unique_lock<std::mutex> lock(pool_mu);
      pool_cv.wait(lock, [&] { return !pool.empty(); });
      pipe = std::move(pool.back());
      pool.pop_back();
    }
    struct Return {
      Impl* self;
      std::unique_ptr<EmotionPipeline>& pipe;
      ~Return() {
        std::lock_guard<std::mutex> lock(self->pool_mu);
        self->pool.push_back(std::move(pipe));
        self->pool_cv.notify_one();
      }
    } give_back{this, pipe};
    return f(*pipe);
  }
  // Calibration baselines by listener (calibration_service.cpp), read from
  // the catalog at most every kBaselineTtl per listener: frames need them
  // 10 times a second, and another server on the same PostgreSQL catalog
  // may change them.
  struct CachedBaseline {
    std::shared_ptr<const Baseline> baseline;  // nullptr: none (or another model's)
    std::chrono::steady_clock::time_point read_at;
  };
  static constexpr std::chrono::seconds kBaselineTtl{10};
  std::mutex baselines_mu;
  std::map<std::string, CachedBaseline> baselines;
  uint64_t baselines_generation = 0;  // bumped by every save and removal
  std::string model_id;  // what a stored baseline must have been made with (model_fingerprint)
  std::shared_ptr<const Baseline> baseline_of(const std::string& listener);
  void forget_cached_baseline(const std::string& listener);

  FrameResult process(const cv::Mat& img, const std::vector<cv::Rect>& hints) {
    return with_pipeline([&](EmotionPipeline& pipe) { return pipe.process(img, hints); });
  }
};

}  // namespace moodtune
