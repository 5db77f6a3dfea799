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

// How hard FaceAligner::roll searches. The defaults stop as soon as a refit
// agrees with the estimate, which the pipeline uses; exhaustive() always
// refits twice, the reference the fast search is checked against
// (moodtune-dev alignment, docs/training.md "A faster aligner").
struct RollParams {
  int max_refits = 2;            // level-and-refit rounds after the first fit
  double agree_deg = 1.5;        // a refit that moves the estimate at most this far confirms it
  bool stop_when_agreed = true;  // end the search at the first confirming refit
  // A first fit closer to upright than this is taken as confirmed without a
  // refit (0 = always refit). A tilted head's first fit errs towards
  // upright, so now and then a turned head is read as level and left
  // unlevelled, as an unreliable one is: on PublicTest 7 more faces (of
  // 3,589) than without the shortcut, on CK+ dev none, for a median cost on
  // CK+ of 1.2 ms instead of 3.2 (moodtune-dev alignment --compare-searches).
  double upright_deg = 2.0;
  static RollParams exhaustive() { return {2, 1.5, false, 0.0}; }
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
  // region is turned level by the estimate and fitted again, up to
  // p.max_refits times. The result is reliable when the last refit moved
  // it by at most p.agree_deg and it is within kMaxRollDeg. Each fit costs
  // a landmark fit and, after the first, a warp of the box's surroundings
  // (docs/training.md has the times). Same errors as eyes().
  HeadRoll roll(const cv::Mat& image, const cv::Rect& box, const RollParams& p = {}) const;

 private:
  struct Model;
  std::unique_ptr<Model> model_;
};

}  // namespace moodtune
