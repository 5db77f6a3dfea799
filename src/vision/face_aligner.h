// face_aligner.h — the eye line of a face, from dlib's 68-point landmark
// model (Debian's libdlib-data), to level a tilted head before it is
// cropped and classified.
//
//   moodtune::FaceAligner aligner;                          // loads the landmark model (~1 s)
//   moodtune::HeadRoll r = aligner.roll(gray, face.box);    // refined, with a reliability flag
//   cv::Mat face = moodtune::crop_face(gray, face.box, pp, r.reliable ? r.deg : 0.0);  // levelled crop
//
// Holds the landmark model only (read-only after construction); eyes() is
// const and safe to call from several threads at once.
#pragma once
#include <memory>
#include <opencv2/core.hpp>
#include <string>

namespace moodtune {

// Where Debian's libdlib-data installs the model.
inline constexpr const char* kLandmarkModel = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";

struct EyeLine {
  cv::Point2f left, right;  // centres of the eye in the image's left and right half
  // The head's roll: the angle of the line from `left` to `right` against
  // the horizontal, in degrees, positive when the right eye sits lower.
  double roll_deg() const;
};

// The head's roll measured by levelling and refitting (FaceAligner::roll).
struct HeadRoll {
  double deg = 0;         // as EyeLine::roll_deg
  bool reliable = false;  // the refits agreed and the angle is plausible; use deg only when set
};

// Rolls beyond this are taken for a failed fit: the landmark model starts
// from an upright mean face, and webcam users rarely tilt their heads further.
inline constexpr double kMaxRollDeg = 35.0;

class FaceAligner {
 public:
  // Throws std::runtime_error naming the package when the model is missing
  // or unreadable.
  explicit FaceAligner(const std::string& landmark_model = kLandmarkModel);
  ~FaceAligner();
  FaceAligner(const FaceAligner&) = delete;
  FaceAligner& operator=(const FaceAligner&) = delete;

  // Landmarks fitted inside `box` of an 8-bit image (gray or colour); the
  // eye centres are the means of the six points of each eye (points 36-41
  // and 42-47). Throws std::invalid_argument for an empty image or a box
  // outside it.
  EyeLine eyes(const cv::Mat& image, const cv::Rect& box) const;

  // The roll of the face in `box`, refined: a single fit underestimates a
  // strongly tilted head (the model starts from an upright face), so the
  // region is turned level by the estimate and fitted again, twice. The
  // result is reliable when the last refit moved it by at most
  // 1.5 degrees and it is within kMaxRollDeg. Costs three landmark fits
  // and two warps of the box's surroundings: 7-10 ms per face measured on
  // 2 cores (docs/training.md). Same errors as eyes().
  HeadRoll roll(const cv::Mat& image, const cv::Rect& box) const;

 private:
  struct Model;
  std::unique_ptr<Model> model_;
};

}  // namespace moodtune
