// explain_deletion.h — how faithful the Grad-CAM maps are, by deletion:
// replacing the 20% most salient pixels of a face should lower the
// explained class's probability more than replacing 20% random pixels.
// Shared by the integration test (a small sample) and `moodtune-dev
// explain-deletion` (the figures in docs/explain.md).
//
//   auto faces = kit::validation_faces(fer_dir, 20, 48);   // 20 per class
//   kit::DeletionReport r = kit::deletion_test(*clf, faces, {});
//   // r.salient_drop > r.random_drop
#pragma once
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "vision/emotion_classifier.h"
#include "vision/explain.h"

namespace moodtune::kit {

struct LabelledFace {
  cv::Mat face;  // prepared gray crop
  int label = -1;
};

// The first `per_class` validation faces of each class of FER2013 under
// `fer_dir`/val (sorted by name), as input_size crops.
std::vector<LabelledFace> validation_faces(const std::string& fer_dir, int per_class, int input_size,
                                           const std::vector<std::string>& classes);

struct DeletionParams {
  double fraction = 0.2;  // of the pixels
  int random_masks = 3;   // random masks per face, averaged
  int stages_from_end = ExplainParams{}.stages_from_end;
  unsigned seed = 1;
};

struct DeletionReport {
  int faces = 0;
  double salient_drop = 0;  // mean fall of the explained (predicted) class's probability
  double random_drop = 0;
  double salient_wins = 0;  // share of faces where the salient mask hurt more
  std::vector<double> salient_drop_by_class, random_drop_by_class;  // by true label
  std::vector<int> faces_by_class;
};

DeletionReport deletion_test(const EmotionClassifier& clf, const std::vector<LabelledFace>& faces,
                             const DeletionParams& p);

}  // namespace moodtune::kit
