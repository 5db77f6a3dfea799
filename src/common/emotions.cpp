#include "common/emotions.h"

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

std::vector<std::string> default_class_names() {
  return {kEmotionNames.begin(), kEmotionNames.end()};
}

int fer_csv_label_to_index(int csv_label) {
  static constexpr std::array<int, 7> kMap = {0, 1, 2, 3, 5, 6, 4};
  if (csv_label < 0 || csv_label >= 7) return -1;
  return kMap[static_cast<size_t>(csv_label)];
}

}  // namespace moodtune
