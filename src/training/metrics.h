// metrics.h — classification metrics from a confusion matrix.
//
//   moodtune::Confusion cm(7);
//   cm.add(true_label, predicted_label);
//   moodtune::ClassMetrics m = cm.metrics();   // accuracy, per-class P/R/F1...
//   nlohmann::json j = m.to_json(class_names);
//
// Plain value types; not synchronised.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace moodtune {

struct PerClass {
  double precision = 0, recall = 0, f1 = 0;
  int64_t support = 0;
};

struct ClassMetrics {
  int64_t n = 0;
  double accuracy = 0;
  double balanced_accuracy = 0;  // mean recall over classes with support
  double macro_f1 = 0;           // mean F1 over classes with support
  std::vector<PerClass> per_class;
  std::vector<std::vector<int64_t>> confusion;  // rows = true, cols = predicted
  nlohmann::json to_json(const std::vector<std::string>& classes) const;
  std::string table(const std::vector<std::string>& classes) const;  // terminal text
  std::string confusion_table(const std::vector<std::string>& classes) const;  // terminal text
};

// Accuracy under one lighting change (evaluate.h's lighting_robustness).
struct LightingResult {
  std::string condition;
  double accuracy = 0;
  double drop = 0;  // baseline accuracy minus this one, in accuracy points (0..1)
};

class Confusion {
 public:
  explicit Confusion(int num_classes);
  void add(int64_t truth, int64_t predicted);
  // `missed[c]`: images of class c that got no prediction at all (no face
  // found); they count in n and support and as errors.
  ClassMetrics metrics(const std::vector<int64_t>& missed = {}) const;

 private:
  std::vector<std::vector<int64_t>> m_;
};

}  // namespace moodtune
