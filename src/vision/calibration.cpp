#include "vision/calibration.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace moodtune {
namespace {
std::vector<float> checked(const nlohmann::json& j, const char* key, size_t n) {
  auto v = j.at(key).get<std::vector<float>>();
  if (v.size() != n)
    throw std::invalid_argument(std::string("baseline '") + key + "' has " + std::to_string(v.size()) +
                                " values, expected " + std::to_string(n));
  for (float f : v)
    if (!std::isfinite(f)) throw std::invalid_argument(std::string("baseline '") + key + "' holds a non-number");
  return v;
}
}  // namespace

nlohmann::json Baseline::to_json() const { return {{"probs", probs}, {"logits", logits}, {"faces", faces}}; }

Baseline Baseline::from_json(const nlohmann::json& j) {
  try {
    Baseline b;
    b.faces = j.at("faces").get<int>();
    const size_t n = j.at("probs").size();
    if (b.faces < 1 || n < 2 || n > 64) throw std::invalid_argument("a baseline needs faces and 2 to 64 classes");
    b.probs = checked(j, "probs", n);
    b.logits = checked(j, "logits", n);
    for (float p : b.probs)
      if (p < 0 || p > 1) throw std::invalid_argument("baseline probabilities must lie in 0..1");
    return b;
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("malformed baseline: ") + e.what());
  }
}

Baseline make_baseline(const EmotionClassifier& clf, const std::vector<cv::Mat>& faces) {
  if (faces.empty()) throw std::invalid_argument("a baseline needs at least one face");
  return baseline_from_probs(clf.classify(faces));
}

Baseline baseline_from_probs(const std::vector<Probs>& probs) {
  if (probs.empty()) throw std::invalid_argument("a baseline needs at least one face");
  const size_t c = probs[0].size();
  const float n = static_cast<float>(probs.size());
  Baseline b;
  b.faces = static_cast<int>(probs.size());
  b.probs.assign(c, 0.0f);
  b.logits.assign(c, 0.0f);
  for (const Probs& p : probs) {
    if (p.size() != c) throw std::invalid_argument("a baseline's faces must all have the same classes");
    for (size_t k = 0; k < c; ++k) {
      b.probs[k] += p[k] / n;
      b.logits[k] += std::log(std::max(p[k], 1e-6f)) / n;
    }
  }
  return b;
}

Probs calibrate(const Probs& probs, const Baseline& person, const CalibrationParams& p, const Baseline& reference) {
  const size_t c = probs.size();
  if (person.faces < 1 || person.probs.size() != c || person.logits.size() != c)
    throw std::invalid_argument("the baseline does not fit this model (" + std::to_string(person.probs.size()) +
                                " classes, the model has " + std::to_string(c) + ")");
  if (p.method != "prior" && p.method != "logit" && p.method != "none")
    throw std::invalid_argument("unknown calibration method '" + p.method + "' (known: prior, logit, none)");
  if (p.method == "none" || p.strength == 0) return probs;
  if (p.method == "logit" && (reference.faces < 1 || reference.logits.size() != c))
    throw std::invalid_argument("calibration method 'logit' needs a population reference baseline");
  // In log space: log p'(c) = log p(c) - s * offset(c), then renormalised.
  std::vector<double> z(c);
  double top = -1e300;
  for (size_t k = 0; k < c; ++k) {
    const double offset =
        p.method == "prior" ? std::log(std::max(person.probs[k], 1e-4f)) : person.logits[k] - reference.logits[k];
    z[k] = std::log(std::max(probs[k], 1e-12f)) - p.strength * offset;
    top = std::max(top, z[k]);
  }
  double sum = 0;
  for (double& v : z) sum += (v = std::exp(v - top));
  Probs out(c);
  for (size_t k = 0; k < c; ++k) out[k] = static_cast<float>(z[k] / sum);
  return out;
}

std::vector<Probs> classify_calibrated(const EmotionClassifier& clf, const std::vector<cv::Mat>& faces,
                                       const Baseline& person, const CalibrationParams& p, const Baseline& reference) {
  std::vector<Probs> out = clf.classify(faces);
  for (Probs& probs : out) probs = calibrate(probs, person, p, reference);
  return out;
}

}  // namespace moodtune
