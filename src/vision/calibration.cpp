#include "vision/calibration.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "vision/image_io.h"

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

int percent(float p) { return static_cast<int>(std::lround(p * 100)); }
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
  const std::vector<Probs> probs = clf.classify(faces);
  const size_t c = clf.classes().size();
  Baseline b;
  b.faces = static_cast<int>(faces.size());
  b.probs.assign(c, 0.0f);
  b.logits.assign(c, 0.0f);
  for (const Probs& p : probs)
    for (size_t k = 0; k < c; ++k) {
      b.probs[k] += p[k] / static_cast<float>(faces.size());
      b.logits[k] += std::log(std::max(p[k], 1e-6f)) / static_cast<float>(faces.size());
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

std::string expression_problem(const Probs& probs, const std::vector<std::string>& classes,
                               const BaselineChecks& checks) {
  const size_t top = static_cast<size_t>(top_class(probs));
  if (top >= classes.size() || probs[top] < checks.max_expression) return "";
  if (std::find(checks.expressive.begin(), checks.expressive.end(), classes[top]) == checks.expressive.end()) return "";
  return "looks " + classes[top] + " (" + std::to_string(percent(probs[top])) + "%)";
}

Baseline baseline_from_images(EmotionPipeline& pipe, const std::string& path, const BaselineChecks& checks) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& e : fs::directory_iterator(path, ec))
      if (e.is_regular_file()) files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    if (files.empty()) throw std::invalid_argument(path + ": no photos for a baseline in this folder");
    if (files.size() > 100) throw std::invalid_argument(path + ": more than 100 files; a few photos are enough");
  } else if (fs::exists(path, ec)) {
    files.push_back(path);
  } else {
    throw std::invalid_argument(path + ": baseline photo or folder not found");
  }
  const auto& classes = pipe.classifier().classes();
  std::vector<cv::Mat> crops;
  for (const std::string& f : files) {
    const cv::Mat img = read_image(f);  // throws with the file's name
    const FrameResult r = pipe.process(img);
    if (r.faces.empty())
      throw std::invalid_argument(f + ": no face found: the baseline needs your face, front on, looking relaxed");
    if (r.faces.size() > 1)
      throw std::invalid_argument(f + ": " + std::to_string(r.faces.size()) +
                                  " faces: a baseline must show only the person it calibrates");
    const FaceResult& face = r.faces[0];
    if (!face.quality.ok()) throw std::invalid_argument(f + ": " + face.quality.hint() + " (for the baseline)");
    if (const std::string why = expression_problem(face.probs, classes, checks); !why.empty())
      throw std::invalid_argument(f + ": the face " + why + ", not relaxed: a baseline is your neutral face");
    PreprocessParams pp = pipe.classifier().preprocess();
    pp.margin = pipe.margin();
    crops.push_back(crop_face(img, face.box, pp));
  }
  return make_baseline(pipe.classifier(), crops);
}

}  // namespace moodtune
