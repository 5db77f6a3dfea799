// emotions.h — the 7 FER2013 emotion classes and small shared helpers.
//
//   using namespace moodtune;
//   for (int i = 0; i < kNumEmotions; ++i) std::cout << emotion_name(i);
//   int id = emotion_index("happy");   // 3, or -1 when unknown
#pragma once
#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace moodtune {

// The class order used everywhere (model outputs, confusion matrices, JSON):
// FER2013's alphabetical folder order.
inline constexpr int kNumEmotions = 7;
inline constexpr std::array<std::string_view, kNumEmotions> kEmotionNames = {"angry",   "disgust", "fear",    "happy",
                                                                             "neutral", "sad",     "surprise"};

std::string emotion_name(int index);       // throws on out of range
int emotion_index(std::string_view name);  // -1 when unknown
std::vector<std::string> default_class_names();

// The original FER2013 CSV numbers its classes differently from the folder
// layout: 0 angry, 1 disgust, 2 fear, 3 happy, 4 sad, 5 surprise, 6 neutral.
int fer_csv_label_to_index(int csv_label);  // -1 when out of range

// Index of the most probable class; -1 for an empty vector.
int top_class(const std::vector<float>& probs);

// {"angry": 0.01, ...} in class order, rounded to 4 decimals.
nlohmann::json probs_json(const std::vector<float>& probs, const std::vector<std::string>& classes);
// The inverse, for the 7 FER2013 classes: {"happy": 0.7, ...} (missing
// classes are 0) or [p_angry, ..., p_surprise]. Throws std::invalid_argument
// naming the problem (unknown emotion, wrong length, not numbers).
std::vector<float> probs_from_json(const nlohmann::json& j);

}  // namespace moodtune
