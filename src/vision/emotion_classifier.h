// emotion_classifier.h — a loaded emotion model, ready for inference.
//
//   auto clf = moodtune::EmotionClassifier::load("models/default.mtm");
//   cv::Mat face = moodtune::crop_face(frame, box, clf->preprocess());
//   std::vector<float> p = clf->classify({face})[0];   // 7 probabilities
//
// The weights are immutable after load and kept apart from any per-stream
// state (tracks live in FaceTracker). A float model's backbone runs on
// oneDNN with its batch norms folded in (folded_net.h; the same results,
// about 3x faster per face); ClassifierParams::onednn = false keeps
// libtorch's own layers, the reference that benchmarks compare against. classify() is const and safe to call
// from several threads at once on one shared classifier: it runs under
// torch::InferenceMode in eval mode, which only reads the weights. For
// throughput, run batch-1 calls on one intra-op thread each and parallelise
// across frames (see docs in README).
#pragma once
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "common/emotions.h"
#include "vision/model_info.h"

namespace moodtune {

struct LoadedModel;  // model_file.h: the weights (libtorch)

using Probs = std::vector<float>;  // one per class, in info().classes order

struct ClassifierParams {
  bool onednn = true;  // float models: folded backbone on oneDNN (false: libtorch's layers)
};

class EmotionClassifier {
 public:
  // `path`: a model file, or several separated by commas for an ensemble
  // (load_models). Throws ModelFileError.
  static std::shared_ptr<const EmotionClassifier> load(const std::string& path, const ClassifierParams& params = {});
  explicit EmotionClassifier(LoadedModel model, std::string path = {}, const ClassifierParams& params = {});
  ~EmotionClassifier();
  EmotionClassifier(const EmotionClassifier&) = delete;
  EmotionClassifier& operator=(const EmotionClassifier&) = delete;

  // Gray input_size x input_size faces (crop_face / prepare_crop output).
  std::vector<Probs> classify(const std::vector<cv::Mat>& faces, bool tta = false) const;
  const ModelInfo& info() const;
  PreprocessParams preprocess() const;
  const std::vector<std::string>& classes() const { return info().classes; }
  const std::string& path() const { return path_; }
  // The weights, for batch evaluation code paths (treat as read-only;
  // include model_file.h to use them).
  const LoadedModel& model() const { return *model_; }

 private:
  // Behind a pointer so that this header needs no libtorch.
  std::unique_ptr<LoadedModel> model_;
  std::string path_;
};

// top_class(probs): common/emotions.h

}  // namespace moodtune
