// emotions.h — the 7 FER2013 emotion classes and small shared helpers.
//
//   using namespace moodtune;
//   for (int i = 0; i < kNumEmotions; ++i) std::cout << emotion_name(i);
//   int id = emotion_index("happy");   // 3, or -1 when unknown
#pragma once
#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace moodtune {

// The class order used everywhere (model outputs, confusion matrices, JSON):
// FER2013's alphabetical folder order.
inline constexpr int kNumEmotions = 7;
inline constexpr std::array<std::string_view, kNumEmotions> kEmotionNames = {
    "angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"};

std::string emotion_name(int index);               // throws on out of range
int emotion_index(std::string_view name);          // -1 when unknown
std::vector<std::string> default_class_names();

// The original FER2013 CSV numbers its classes differently from the folder
// layout: 0 angry, 1 disgust, 2 fear, 3 happy, 4 sad, 5 surprise, 6 neutral.
int fer_csv_label_to_index(int csv_label);         // -1 when out of range

}  // namespace moodtune
