// preprocess.h — the one face preprocessing path shared by training,
// evaluation and inference.
//
//   moodtune::PreprocessParams pp;                 // 48x48, margin 0.1
//   cv::Mat face = moodtune::crop_face(frame, box, pp);   // 48x48 CV_8U
//   torch::Tensor x = moodtune::to_input({face}, pp.norm); // net_input.h
//
// Pure functions, thread-safe. No libtorch: the tensor side is net_input.h.
#pragma once
#include <opencv2/core.hpp>
#include <vector>

namespace moodtune {

struct Normalisation {
  float mean = 0.5f;  // in [0,1] pixel units, applied as (x/255 - mean) / std
  float std = 0.25f;
};

struct PreprocessParams {
  int input_size = 48;
  // Fraction of the box size added on each side before cropping. Haar boxes
  // are tighter than FER2013's crops (which show some hair and chin).
  float margin = 0.1f;
  Normalisation norm;
  // Turn each crop so the eye line is level (face_crop.h, face_aligner.h);
  // set from the model (ModelInfo::level_eyes). Rolls under min_roll_deg
  // are left alone: the landmark fit's own noise is a degree or two.
  bool level_eyes = false;
  float min_roll_deg = 3.0f;
};

// Any 1-, 3- or 4-channel 8-bit image to single-channel gray (no copy when
// already gray).
cv::Mat to_gray(const cv::Mat& image);

// Gray copy whose longest side is at most max_side (0 = no limit);
// `to_original` receives the factor that maps its coordinates back.
cv::Mat downscale_gray(const cv::Mat& image, int max_side, double& to_original);

// The part of the image crop_face takes for `box`: the box grown by
// `margin` of its size on each side (it may extend past the image).
cv::Rect crop_region(const cv::Rect& box, float margin);

// Expands `box` by the margin, clamps to the image (padding with edge pixels
// when the expanded box leaves it, so the face stays centred), converts to
// gray and resizes to input_size x input_size. Throws std::invalid_argument
// for an empty image or a box that does not overlap it.
cv::Mat crop_face(const cv::Mat& image, const cv::Rect& box, const PreprocessParams& pp);
// The same crop with the head's roll taken out: the region is turned by
// roll_deg (face_aligner.h's EyeLine::roll_deg) about the box's centre so the
// eye line is level. roll_deg 0 is exactly crop_face above.
cv::Mat crop_face(const cv::Mat& image, const cv::Rect& box, const PreprocessParams& pp, double roll_deg);

// A whole image taken as an already-cropped face (FER2013 crops): gray,
// resized to input_size.
cv::Mat prepare_crop(const cv::Mat& image, int input_size);

}  // namespace moodtune
