#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"
#include "vision/emotion_classifier.h"

namespace moodtune::cli {

std::string default_model_path() {
  if (const char* env = std::getenv("MOODTUNE_MODEL"); env && *env) return env;
  return std::string(MOODTUNE_SOURCE_DIR) + "/models/default.mtm";
}

nlohmann::json probs_json(const std::vector<float>& probs, const std::vector<std::string>& classes) {
  nlohmann::json j = nlohmann::json::object();
  for (size_t i = 0; i < probs.size() && i < classes.size(); ++i)
    j[classes[i]] = std::round(static_cast<double>(probs[i]) * 1e4) / 1e4;
  return j;
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
