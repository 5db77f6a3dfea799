#include "vision/baseline_photos.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "vision/face_crop.h"
#include "vision/image_io.h"

namespace moodtune {

std::string expression_problem(const Probs& probs, const std::vector<std::string>& classes,
                               const BaselineChecks& checks) {
  const size_t top = static_cast<size_t>(top_class(probs));
  if (top >= classes.size() || probs[top] < checks.max_expression) return "";
  if (std::find(checks.expressive.begin(), checks.expressive.end(), classes[top]) == checks.expressive.end()) return "";
  static const std::map<std::string, std::string> adjective = {
      {"disgust", "disgusted"}, {"fear", "fearful"}, {"surprise", "surprised"}};
  const auto it = adjective.find(classes[top]);
  return "looks " + (it == adjective.end() ? classes[top] : it->second) + " (" +
         std::to_string(std::lround(probs[top] * 100)) + "%)";
}

namespace {
std::string face_problem(const FaceQuality& quality, const Probs& probs, const std::vector<std::string>& classes,
                         const BaselineChecks& checks) {
  if (!quality.ok()) return quality.hint() + " (for the baseline)";
  if (const std::string why = expression_problem(probs, classes, checks); !why.empty())
    return "the face " + why + ", not relaxed: a baseline is your neutral face";
  return "";
}
}  // namespace

std::string baseline_frame_problem(const FrameResult& r, const std::vector<std::string>& classes,
                                   const BaselineChecks& checks) {
  if (r.faces.empty()) return "no face found: the baseline needs your face, front on, looking relaxed";
  if (r.faces.size() > 1)
    return std::to_string(r.faces.size()) + " faces: a baseline must show only the person it calibrates";
  return face_problem(r.faces[0].quality, r.faces[0].probs, classes, checks);
}

Baseline baseline_from_images(EmotionPipeline& pipe, const std::string& path, const BaselineChecks& checks) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& e : fs::directory_iterator(path, ec))
      if (e.is_regular_file() && is_image_file(e.path().string())) files.push_back(e.path().string());
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
    cv::Mat crop;
    std::string problem;
    if (checks.crops) {  // the photo is the face
      crop = prepare_crop(img, pipe.classifier().info().net.input_size);
      problem = face_problem(measure_face_quality(crop), pipe.classifier().classify({crop})[0], classes, checks);
    } else {
      const FrameResult r = pipe.process(img);
      problem = baseline_frame_problem(r, classes, checks);
      if (problem.empty()) {
        PreprocessParams pp = pipe.classifier().preprocess();
        pp.margin = pipe.margin();
        crop = crop_face(img, r.faces[0].box, pp);
      }
    }
    if (!problem.empty()) throw std::invalid_argument(f + ": " + problem);
    crops.push_back(crop);
  }
  return make_baseline(pipe.classifier(), crops);
}

}  // namespace moodtune
