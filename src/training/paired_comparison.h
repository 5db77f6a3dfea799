// paired_comparison.h — is model B really better than model A on the same
// images, or is the difference noise?
//
//   moodtune::PairedComparison c = moodtune::compare_paired(truth, pred_a, pred_b, 7);
//   c.accuracy.delta();        // B minus A, in accuracy points (0..1)
//   c.mcnemar_p;               // exact two-sided test on the images only one got right
//   c.recall[2].low;           // 95% bootstrap interval of B's minus A's fear recall
//   nlohmann::json j = c.to_json(class_names);
//
// What it represents: two models' predictions on one set of labelled images,
// compared image by image. Pairing matters: two models that share most of
// their right answers differ far less by chance than two independent
// accuracies' standard errors suggest (on FER2013's PublicTest, ~0.8 points
// each). Accuracy differences get McNemar's exact test; every figure (accuracy,
// balanced accuracy, per-class recall and precision) gets a percentile
// bootstrap interval from resampling the images, the same resample for both
// models. Where images come in groups that are not independent (the faces of
// one person), `groups` resamples whole groups instead (a cluster
// bootstrap), which widens the intervals honestly. McNemar's test assumes
// independent images either way. Deterministic for a given seed.
//
// Plain functions over plain values; thread-safe.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace moodtune {

struct PairedComparisonParams {
  int resamples = 2000;  // bootstrap resamples
  double level = 0.95;   // interval coverage
  uint64_t seed = 1;
  // Empty, or one group id per image: whole groups are resampled.
  std::vector<int64_t> groups;
};

// One figure for both models, and the interval of B minus A.
struct PairedFigure {
  double a = 0, b = 0;
  double low = 0, high = 0;  // interval of b - a
  double delta() const { return b - a; }
  // True when the interval excludes zero.
  bool significant() const { return low > 0 || high < 0; }
};

struct PairedComparison {
  int64_t n = 0;
  int64_t only_a_right = 0, only_b_right = 0;  // the discordant images
  int64_t groups = 0;                          // resampled units: images, or the groups given
  double mcnemar_p = 1;                        // exact binomial, two-sided
  PairedFigure accuracy, balanced_accuracy;
  std::vector<PairedFigure> recall, precision;  // per class; precision 0 where a model never predicts it
  PairedComparisonParams params;
  nlohmann::json to_json(const std::vector<std::string>& classes) const;
  // Terminal text: one line per figure, "A vs B, delta (interval)".
  std::string table(const std::vector<std::string>& classes) const;
};

// Throws std::invalid_argument when the three vectors (and `groups`, when
// given) differ in length, are empty, or hold a label outside
// [0, num_classes).
PairedComparison compare_paired(const std::vector<int64_t>& truth, const std::vector<int64_t>& pred_a,
                                const std::vector<int64_t>& pred_b, int num_classes,
                                const PairedComparisonParams& p = {});

// Two-sided exact p-value of McNemar's test: `b` and `c` images right for
// only one of two models each, against equal odds.
double mcnemar_exact_p(int64_t b, int64_t c);

}  // namespace moodtune
