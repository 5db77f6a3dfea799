#include "common/emotions.h"

#include <algorithm>
#include <cmath>

#include <stdexcept>

namespace moodtune {

std::string emotion_name(int index) {
  if (index < 0 || index >= kNumEmotions)
    throw std::out_of_range("emotion index " + std::to_string(index) + " is not in 0..6");
  return std::string(kEmotionNames[static_cast<size_t>(index)]);
}

int emotion_index(std::string_view name) {
  for (int i = 0; i < kNumEmotions; ++i)
    if (kEmotionNames[static_cast<size_t>(i)] == name) return i;
  return -1;
}

std::vector<std::string> default_class_names() { return {kEmotionNames.begin(), kEmotionNames.end()}; }

int fer_csv_label_to_index(int csv_label) {
  static constexpr std::array<int, 7> kMap = {0, 1, 2, 3, 5, 6, 4};
  if (csv_label < 0 || csv_label >= 7) return -1;
  return kMap[static_cast<size_t>(csv_label)];
}

int top_class(const std::vector<float>& p) {
  if (p.empty()) return -1;
  return static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
}

nlohmann::json probs_json(const std::vector<float>& probs, const std::vector<std::string>& classes) {
  nlohmann::json j = nlohmann::json::object();
  for (size_t i = 0; i < probs.size() && i < classes.size(); ++i)
    j[classes[i]] = std::round(static_cast<double>(probs[i]) * 1e4) / 1e4;
  return j;
}

std::vector<float> probs_from_json(const nlohmann::json& j) {
  std::vector<float> p(kNumEmotions, 0.0f);
  auto number = [](const nlohmann::json& v, const std::string& what) {
    if (!v.is_number()) throw std::invalid_argument(what + " must be a number");
    double x = v.get<double>();
    if (!(x >= 0 && x <= 1)) throw std::invalid_argument(what + " must be between 0 and 1");
    return static_cast<float>(x);
  };
  if (j.is_array()) {
    if (j.size() != kNumEmotions)
      throw std::invalid_argument("probabilities: an array needs 7 numbers (angry..surprise)");
    for (size_t i = 0; i < j.size(); ++i) p[i] = number(j[i], "probability " + std::to_string(i));
  } else if (j.is_object()) {
    for (auto& [k, v] : j.items()) {
      int idx = emotion_index(k);
      if (idx < 0) throw std::invalid_argument("unknown emotion '" + k + "'");
      p[static_cast<size_t>(idx)] = number(v, "probability of " + k);
    }
  } else {
    throw std::invalid_argument("probabilities must be a JSON object or array");
  }
  return p;
}

}  // namespace moodtune
