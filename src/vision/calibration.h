// calibration.h — one person's neutral face as the zero point of their
// emotions. One person's resting face reads as another's frown; a baseline
// of that person looking relaxed lets the classifier judge them against
// themselves.
//
//   auto clf = moodtune::EmotionClassifier::load("models/default.mtm");
//   moodtune::Baseline b = moodtune::make_baseline(*clf, neutral_crops);   // 48x48 crops
//   moodtune::Probs p = moodtune::classify_calibrated(*clf, {face}, b)[0];
//
// Methods (CalibrationParams::method), compared on CK+ in docs/calibration.md:
//  - "prior" (the default, s = 0.5): p'(c) ~ p(c) / b(c)^s, b the baseline's
//    mean probabilities: the person's resting face as a prior to divide out,
//    half-way (s = 1 divides neutral out too and loses neutral faces);
//  - "logit": z' = z - s (z_b - z_ref), the shift that moves the person's
//    mean neutral logits onto a population's (`reference`, a Baseline of
//    many people's neutral faces). A shift of the pooled features before
//    the linear head is the same thing, so it is not offered separately.
//
// Photos to a baseline, with checks: baseline_photos.h. An EmotionPipeline
// applies a baseline itself (PipelineParams::baseline).
//
// Plain values and pure functions: thread-safe as EmotionClassifier is.
#pragma once
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "vision/emotion_classifier.h"

namespace moodtune {

// Mean outputs of a classifier over some neutral faces of one person (or,
// for the reference, of many).
struct Baseline {
  std::vector<float> probs;   // mean class probabilities
  std::vector<float> logits;  // mean log-probabilities (logits up to a constant)
  int faces = 0;
  nlohmann::json to_json() const;
  static Baseline from_json(const nlohmann::json& j);  // throws std::invalid_argument
};

struct CalibrationParams {
  std::string method = "prior";  // "prior" | "logit" | "none"
  float strength = 0.5f;         // s above; 0 = no calibration
};

// Throws std::invalid_argument for no faces or crops of the wrong size.
Baseline make_baseline(const EmotionClassifier& clf, const std::vector<cv::Mat>& faces);
// The same from the classifier's (uncalibrated) probabilities of each face,
// e.g. gathered frame by frame; throws std::invalid_argument for none or
// rows of different lengths.
Baseline baseline_from_probs(const std::vector<Probs>& probs);

// The person's probabilities `probs` (one face) adjusted by their baseline.
// "logit" needs `reference`. Throws std::invalid_argument when the baseline
// does not fit the model or the method is unknown.
Probs calibrate(const Probs& probs, const Baseline& person, const CalibrationParams& p = {},
                const Baseline& reference = {});

// classify() and calibrate() for each face.
std::vector<Probs> classify_calibrated(const EmotionClassifier& clf, const std::vector<cv::Mat>& faces,
                                       const Baseline& person, const CalibrationParams& p = {},
                                       const Baseline& reference = {});

}  // namespace moodtune
