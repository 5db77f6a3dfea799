// face_crop.h — the face crop every consumer of a model takes (inference,
// evaluation, training, calibration, explanations): preprocess.h's crop,
// levelled by the eye line when the model asks for it (PreprocessParams::
// level_eyes, from ModelInfo::level_eyes).
//
//   moodtune::PreprocessParams pp = classifier.preprocess();
//   cv::Mat face = moodtune::crop_for_model(frame, det.box, pp);   // a box in a frame
//   cv::Mat crop = moodtune::prepare_for_model(fer_image, pp);     // an image that is a face
//
// Thread-safe: the landmark model is loaded once, on first use, and only read.
#pragma once
#include <opencv2/core.hpp>

#include "vision/face_aligner.h"
#include "vision/preprocess.h"

namespace moodtune {

// The process's landmark model (95 MB, ~1 s to load): loaded on first call.
// Throws as FaceAligner's constructor (naming the Debian package).
const FaceAligner& shared_face_aligner();

// The angle a face with this measured roll is turned by: r.deg, or 0 when
// levelling is off (pp.level_eyes), the roll unreliable, or smaller than
// pp.min_roll_deg (the landmark fit's own noise).
double level_angle(const HeadRoll& r, const PreprocessParams& pp);

// crop_face(image, box, pp), turned level by the head's measured roll when
// pp.level_eyes and the measurement is reliable and at least
// pp.min_roll_deg; otherwise exactly crop_face.
cv::Mat crop_for_model(const cv::Mat& image, const cv::Rect& box, const PreprocessParams& pp);

// prepare_crop(image, pp.input_size) for an image that is already a face
// crop (FER2013), levelled likewise. Small crops are measured on a 4x
// upscaled copy: the landmark model was trained on larger faces.
cv::Mat prepare_for_model(const cv::Mat& image, const PreprocessParams& pp);

}  // namespace moodtune
