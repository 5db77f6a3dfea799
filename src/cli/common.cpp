#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"
#include "vision/emotion_classifier.h"

namespace moodtune::cli {

void add_detector_options(CLI::App* cmd, DetectorParams& p) {
  cmd->add_option("--detector", p.kind, "Face detector: haar | lbp | dlib")->capture_default_str();
  cmd->add_option("--min-face", p.min_face, "Smallest face side in pixels")->capture_default_str();
  cmd->add_option("--max-side", p.max_side, "Downscale frames to this longest side before detecting (0 = detector default)")->capture_default_str();
  cmd->add_option("--scale-factor", p.scale_factor, "Cascade pyramid step (haar, lbp)")->capture_default_str();
  cmd->add_option("--min-neighbors", p.min_neighbors, "Cascade: overlapping hits needed (higher = fewer false faces)")->capture_default_str();
  cmd->add_option("--cascade", p.cascade, "Cascade XML (haar, lbp); default: opencv-data's frontal face");
}

std::string default_model_path() {
  if (const char* env = std::getenv("MOODTUNE_MODEL"); env && *env) return env;
  return std::string(MOODTUNE_SOURCE_DIR) + "/models/default.mtm";
}

std::string probs_text(const std::vector<float>& probs, const std::vector<std::string>& classes) {
  int top = top_class(probs);
  char buf[64];
  std::string out;
  if (top >= 0) {
    std::snprintf(buf, sizeof buf, "%-8s %.2f |", classes[static_cast<size_t>(top)].c_str(), probs[static_cast<size_t>(top)]);
    out = buf;
  }
  for (size_t i = 0; i < probs.size() && i < classes.size(); ++i) {
    std::snprintf(buf, sizeof buf, " %s %.2f", classes[i].c_str(), probs[i]);
    out += buf;
  }
  return out;
}

}  // namespace moodtune::cli
