// folder_evaluation.h — what `moodtune evaluate` measures: a model on a
// class-folder tree (DIR/<class>/*), as face crops or, with `detect`, as
// whole photos through the face detector; optionally judged against one
// person's baseline and under changed lighting.
//
//   moodtune::FolderEvaluationParams p;
//   p.data = "fer2013/val";
//   moodtune::FolderEvaluation r = moodtune::evaluate_folder(p);
//   std::cout << r.metrics.table(r.classes) << r.metrics.confusion_table(r.classes);
//   nlohmann::json j = r.to_json();
//
// Loads the model itself; one call per thread (it sets no global state).
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "training/metrics.h"
#include "training/paired_comparison.h"
#include "vision/face_detector.h"

namespace moodtune {

struct FolderEvaluationParams {
  std::string data;     // one sub-folder per class, named as the model's classes
  std::string model;    // a model file, or an ensemble (files joined by commas)
  bool detect = false;  // whole photos: the largest face is classified; no face counts as wrong
  DetectorParams detector;
  bool tta = false;       // flip and small shifts averaged
  bool lighting = false;  // also measure under darkening, brightening, low contrast, gamma (crops only)
  std::string baseline;   // photos of the person looking relaxed: measured with and without them
  // A training folder (DIR/<class>/*): images of `data` whose pixels equal
  // one of its images are left out, so the figures are for faces the model
  // never saw (280 of FER2013's PublicTest faces repeat training faces). Crops only.
  std::string unseen_by;
  // Another model (or ensemble) measured on the same images and compared
  // image by image (paired_comparison.h): is this model's difference real or
  // noise? Crops only, without a baseline.
  std::string against;
};

// What one evaluation found. `uncalibrated` is the same faces measured
// without the baseline (set when `baseline_photos` > 0).
struct FolderEvaluation {
  FolderEvaluationParams params;
  std::vector<std::string> classes;
  ClassMetrics metrics;
  ClassMetrics uncalibrated;
  int baseline_photos = 0;
  int64_t no_face = 0;        // with `detect`: photos without a face (in metrics as wrong)
  int64_t seen_left_out = 0;  // with `unseen_by`: images left out as found there
  std::vector<LightingResult> lighting;
  std::vector<std::string> problems;  // unreadable files, unknown class folders: skipped, reported
  // With `against`: A = that model, B = this one.
  std::optional<PairedComparison> comparison;
  nlohmann::json to_json() const;
};

// Throws std::runtime_error (no such folder, nothing could be evaluated),
// std::invalid_argument (`lighting`, `unseen_by` or `against` with `detect`,
// `against` with a baseline or a model of other classes), or what loading the
// model or the baseline throws, each with a message for the user.
FolderEvaluation evaluate_folder(const FolderEvaluationParams& p);

}  // namespace moodtune
