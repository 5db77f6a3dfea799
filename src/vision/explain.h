// explain.h — why the emotion model said what it said: Grad-CAM heat maps
// of where in a face it found the evidence for a class.
//
//   auto clf = moodtune::EmotionClassifier::load("models/default.mtm");
//   cv::Mat face = moodtune::crop_face(photo, box, clf->preprocess());
//   moodtune::Explanation e = moodtune::explain_face(*clf, face);   // the predicted class
//   cv::Mat picture = moodtune::draw_explanation(photo, box, 0.1f, e, clf->classes());
//
// One implementation for the CLI (`moodtune explain`) and the server
// (POST /api/explain); ensembles (`--model a.mtm,b.mtm`) are explained as
// a whole. How faithful the maps are is measured by a deletion test
// (docs/explain.md). Thread safety: explain_face may run on many threads
// over one shared classifier (gradients go to per-call feature maps only).
#pragma once
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "vision/emotion_classifier.h"
#include "vision/pipeline.h"

namespace moodtune {

struct ExplainParams {
  int class_index = -1;  // the class to explain; -1 = the predicted one
  // Which backbone stage's feature maps: 0 (the last, 3x3 for 48 px faces)
  // or 1 (6x6). Chosen per shipped model by the deletion test
  // (docs/explain.md): for the distilled default, 1 is faithful for every
  // class and 0 worse than random for five of seven (for the 30-epoch model
  // before it, 0 was a little better).
  int stages_from_end = 1;
};

struct Explanation {
  int class_index = -1;
  Probs probs;   // the model's probabilities for the face
  cv::Mat heat;  // CV_32F, input_size x input_size, in [0, 1]; 1 = most salient
  // No region spoke for the class (all Grad-CAM values <= 0): `heat` then
  // ranks the regions by how little they spoke against it.
  bool weak = false;
};

// `face`: a prepared gray crop (crop_face / prepare_crop). Throws
// std::invalid_argument for a class index out of range.
Explanation explain_face(const EmotionClassifier& clf, const cv::Mat& face, const ExplainParams& p = {});

// One face of an image, explained.
struct FaceExplanation {
  cv::Rect box;     // the detected face (the whole image with whole_image)
  cv::Rect region;  // the part of the image the model saw (box plus margin)
  Explanation why;
};
// Detects the faces with `pipe`, or takes the whole image as one face crop
// (whole_image: FER-style crops), and explains each: what `moodtune
// explain` and POST /api/explain both run.
std::vector<FaceExplanation> explain_image(EmotionPipeline& pipe, const cv::Mat& image, const ExplainParams& p,
                                           bool whole_image);

// A BGR copy of `image` with the heat map blended over the face's crop
// region (crop_region(box, margin)), the box drawn and "class 87%" written.
cv::Mat draw_explanation(const cv::Mat& image, const cv::Rect& box, float margin, const Explanation& e,
                         const std::vector<std::string>& classes);

// The deletion test: `face` with the pixels where `mask` is set replaced by
// a heavily blurred copy of the face (their detail deleted).
cv::Mat delete_pixels(const cv::Mat& face, const cv::Mat& mask);
// The `fraction` of pixels with the highest heat (CV_8U mask, 255 = chosen).
cv::Mat most_salient(const cv::Mat& heat, double fraction);

}  // namespace moodtune
