#include "vision/emotion_classifier.h"

#include <algorithm>

#include "vision/model_file.h"
#include "vision/net_input.h"

namespace moodtune {

std::shared_ptr<const EmotionClassifier> EmotionClassifier::load(const std::string& path,
                                                                 const ClassifierParams& params) {
  return std::make_shared<const EmotionClassifier>(load_models(path), path, params);
}

EmotionClassifier::EmotionClassifier(LoadedModel model, std::string path, const ClassifierParams& params)
    : model_(std::make_unique<LoadedModel>(std::move(model))), path_(std::move(path)) {
  model_->net->eval();
  if (params.onednn) model_->net->enable_fast_inference();
}

EmotionClassifier::~EmotionClassifier() = default;

const ModelInfo& EmotionClassifier::info() const { return model_->info; }

PreprocessParams EmotionClassifier::preprocess() const { return preprocess_params(model_->info); }

std::vector<Probs> EmotionClassifier::classify(const std::vector<cv::Mat>& faces, bool tta) const {
  if (faces.empty()) return {};
  torch::InferenceMode guard;
  torch::Tensor x = to_input(faces, model_->info.norm);
  // predict_probs takes a non-const handle; eval-mode forward does not mutate.
  EmotionNet net = model_->net;
  torch::Tensor probs = predict_probs(net, x, tta).contiguous();
  std::vector<Probs> out;
  const int64_t k = probs.size(1);
  const float* p = probs.data_ptr<float>();
  for (int64_t i = 0; i < probs.size(0); ++i) out.emplace_back(p + i * k, p + (i + 1) * k);
  return out;
}

}  // namespace moodtune
