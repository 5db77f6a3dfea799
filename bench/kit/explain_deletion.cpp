#include "kit/explain_deletion.h"

#include <algorithm>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <random>

#include "vision/preprocess.h"

namespace moodtune::kit {
namespace fs = std::filesystem;

std::vector<LabelledFace> validation_faces(const std::string& fer_dir, int per_class, int input_size,
                                           const std::vector<std::string>& classes) {
  std::vector<LabelledFace> out;
  for (size_t c = 0; c < classes.size(); ++c) {
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(fs::path(fer_dir) / "val" / classes[c])) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    if (static_cast<int>(files.size()) > per_class) files.resize(static_cast<size_t>(per_class));
    for (const auto& f : files)
      out.push_back({prepare_crop(cv::imread(f, cv::IMREAD_GRAYSCALE), input_size), static_cast<int>(c)});
  }
  return out;
}

DeletionReport deletion_test(const EmotionClassifier& clf, const std::vector<LabelledFace>& faces,
                             const DeletionParams& p) {
  const size_t k = clf.classes().size();
  DeletionReport r;
  r.salient_drop_by_class.assign(k, 0.0);
  r.random_drop_by_class.assign(k, 0.0);
  r.faces_by_class.assign(k, 0);
  std::mt19937 rng(p.seed);
  ExplainParams ep;
  ep.stages_from_end = p.stages_from_end;
  for (const LabelledFace& f : faces) {
    const Explanation e = explain_face(clf, f.face, ep);
    const size_t c = static_cast<size_t>(e.class_index);
    const double before = e.probs[c];
    const double salient = before - clf.classify({delete_pixels(f.face, most_salient(e.heat, p.fraction))})[0][c];
    double random = 0;
    for (int m = 0; m < p.random_masks; ++m) {
      // A random heat map's most salient pixels are a uniformly random set.
      cv::Mat noise(f.face.size(), CV_32F);
      cv::RNG(rng()).fill(noise, cv::RNG::UNIFORM, 0.0f, 1.0f);
      random += before - clf.classify({delete_pixels(f.face, most_salient(noise, p.fraction))})[0][c];
    }
    random /= p.random_masks;
    ++r.faces;
    r.salient_drop += salient;
    r.random_drop += random;
    r.salient_wins += salient > random ? 1 : 0;
    const size_t label = static_cast<size_t>(f.label);
    r.salient_drop_by_class[label] += salient;
    r.random_drop_by_class[label] += random;
    ++r.faces_by_class[label];
  }
  if (r.faces > 0) {
    r.salient_drop /= r.faces;
    r.random_drop /= r.faces;
    r.salient_wins /= r.faces;
  }
  for (size_t c = 0; c < k; ++c)
    if (r.faces_by_class[c] > 0) {
      r.salient_drop_by_class[c] /= r.faces_by_class[c];
      r.random_drop_by_class[c] /= r.faces_by_class[c];
    }
  return r;
}

}  // namespace moodtune::kit
