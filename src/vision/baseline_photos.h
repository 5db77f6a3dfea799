// baseline_photos.h — a person's baseline (calibration.h) from photos or
// frames of them looking relaxed, refusing photos that would make a bad one.
//
//   moodtune::EmotionPipeline pipe(clf);
//   moodtune::Baseline b = moodtune::baseline_from_images(pipe, "me-relaxed/");
//   pipe.set_baseline(b);   // from now on the person's face is judged against it
//
// Uses the caller's pipeline (one per thread, as always, and without a
// baseline of its own); otherwise pure.
#pragma once
#include <string>
#include <vector>

#include "vision/calibration.h"
#include "vision/pipeline.h"

namespace moodtune {

// What is wrong with a photo for a baseline, as a message for the person,
// or "" when it will do.
struct BaselineChecks {
  // Refused when one of these classes is the most likely at this
  // probability or more: a smile or a surprised face is not a resting face.
  // Sad, angry and neutral are not refused: a resting face read as one of
  // them is what calibration corrects.
  std::vector<std::string> expressive = {"happy", "surprise", "disgust", "fear"};
  float max_expression = 0.6f;
  bool crops = false;  // each photo is a face crop already (no detection; like `evaluate` without --detect)
};

// "looks happy (81%)" when `probs` are clearly expressive by `checks`, else "".
std::string expression_problem(const Probs& probs, const std::vector<std::string>& classes,
                               const BaselineChecks& checks = {});

// What is wrong with a frame (FrameResult of a pipeline without a baseline)
// for a baseline, as a message for the person ("no face found: ...",
// "2 faces: ...", "too dark ...", "the face looks happy (81%), not relaxed
// ..."), or "" when its one face will do.
std::string baseline_frame_problem(const FrameResult& r, const std::vector<std::string>& classes,
                                   const BaselineChecks& checks = {});

// A baseline from `path`: one image, or a folder of them (not recursive).
// Each must show exactly one face, lit well enough (face_quality.h) and not
// clearly expressive. Throws std::invalid_argument naming the file and what
// to do ("photo.jpg: no face found: ...", "... 2 faces ...", "... too dark
// ...", "... looks happy (81%), not relaxed ...").
Baseline baseline_from_images(EmotionPipeline& pipe, const std::string& path, const BaselineChecks& checks = {});

}  // namespace moodtune
