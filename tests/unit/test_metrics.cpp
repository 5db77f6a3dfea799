#include <gtest/gtest.h>

#include "common/stats.h"
#include "training/metrics.h"
#include "training/paired_comparison.h"

using namespace moodtune;

TEST(Metrics, PrecisionRecallF1FromAKnownMatrix) {
  Confusion cm(3);
  // true 0: 3 right, 1 as class 1; true 1: 2 right; true 2: 1 as 0, 1 right
  for (int i = 0; i < 3; ++i) cm.add(0, 0);
  cm.add(0, 1);
  cm.add(1, 1), cm.add(1, 1);
  cm.add(2, 0), cm.add(2, 2);
  ClassMetrics m = cm.metrics();
  EXPECT_EQ(m.n, 8);
  EXPECT_DOUBLE_EQ(m.accuracy, 6.0 / 8);
  EXPECT_DOUBLE_EQ(m.per_class[0].precision, 3.0 / 4);
  EXPECT_DOUBLE_EQ(m.per_class[0].recall, 3.0 / 4);
  EXPECT_DOUBLE_EQ(m.per_class[1].precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.per_class[1].recall, 1.0);
  EXPECT_DOUBLE_EQ(m.per_class[2].recall, 0.5);
  EXPECT_DOUBLE_EQ(m.per_class[1].f1, 2 * (2.0 / 3) / (2.0 / 3 + 1));
  EXPECT_DOUBLE_EQ(m.balanced_accuracy, (0.75 + 1.0 + 0.5) / 3);
  auto j = m.to_json({"a", "b", "c"});
  EXPECT_EQ(j["confusion"][2][0], 1);
  EXPECT_EQ(j["per_class"]["b"]["support"], 2);
}

TEST(Metrics, MissedImagesCountAsErrors) {
  Confusion cm(2);
  cm.add(0, 0), cm.add(1, 1);
  ClassMetrics m = cm.metrics({2, 0});  // two class-0 images had no face
  EXPECT_EQ(m.n, 4);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.5);
  EXPECT_DOUBLE_EQ(m.per_class[0].recall, 1.0 / 3);
  EXPECT_EQ(m.per_class[0].support, 3);
}

TEST(Metrics, ClassesWithoutSupportDoNotDragTheAveragesDown) {
  Confusion cm(3);
  cm.add(0, 0), cm.add(1, 1);
  ClassMetrics m = cm.metrics();
  EXPECT_DOUBLE_EQ(m.balanced_accuracy, 1.0);
  EXPECT_DOUBLE_EQ(m.macro_f1, 1.0);
  EXPECT_THROW(cm.add(5, 0), std::out_of_range);
}

TEST(Stats, MedianAndPercentiles) {
  Summary s = summarise({5, 1, 3, 2, 4});
  EXPECT_DOUBLE_EQ(s.median, 3);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 5);
  EXPECT_DOUBLE_EQ(percentile({1, 2, 3, 4, 5}, 0.95), 4.8);
  EXPECT_EQ(summarise({}).n, 0u);
}

// Reference values from the binomial sums done by hand (Python's math.comb).
TEST(PairedComparison, McNemarsExactTestMatchesTheBinomialSums) {
  EXPECT_DOUBLE_EQ(mcnemar_exact_p(0, 0), 1.0);
  EXPECT_NEAR(mcnemar_exact_p(0, 5), 2.0 / 32, 1e-15);
  EXPECT_NEAR(mcnemar_exact_p(1, 9), 22.0 / 1024, 1e-15);
  EXPECT_NEAR(mcnemar_exact_p(9, 1), 22.0 / 1024, 1e-15) << "symmetric";
  EXPECT_NEAR(mcnemar_exact_p(10, 12), 0.8318119049072266, 1e-12);
  EXPECT_NEAR(mcnemar_exact_p(155, 180), 0.18969092553334202, 1e-10);
  EXPECT_NEAR(mcnemar_exact_p(150, 200), 0.008720036530555949, 1e-10);
  EXPECT_DOUBLE_EQ(mcnemar_exact_p(1500, 1500), 1.0) << "capped at 1, and no underflow at n = 3000";
}

namespace {
// 1,000 images of 2 classes; A is right on the first `a_right` of each
// class, B on the first `b_right`.
struct TwoModels {
  std::vector<int64_t> truth, a, b;
  TwoModels(int a_right, int b_right) {
    for (int64_t c = 0; c < 2; ++c)
      for (int i = 0; i < 500; ++i) {
        truth.push_back(c);
        a.push_back(i < a_right ? c : 1 - c);
        b.push_back(i < b_right ? c : 1 - c);
      }
  }
};
}  // namespace

TEST(PairedComparison, IdenticalModelsDifferByNothing) {
  const TwoModels m(350, 350);
  const PairedComparison r = compare_paired(m.truth, m.a, m.b, 2);
  EXPECT_EQ(r.n, 1000);
  EXPECT_EQ(r.only_a_right + r.only_b_right, 0);
  EXPECT_DOUBLE_EQ(r.mcnemar_p, 1.0);
  EXPECT_DOUBLE_EQ(r.accuracy.a, 0.7);
  EXPECT_DOUBLE_EQ(r.accuracy.delta(), 0.0);
  EXPECT_DOUBLE_EQ(r.accuracy.low, 0.0);
  EXPECT_DOUBLE_EQ(r.accuracy.high, 0.0);
  EXPECT_FALSE(r.recall[1].significant());
}

TEST(PairedComparison, ARealGainIsSignificantAndNoiseIsNot) {
  // B is right on 50 more faces of each class than A, and never worse:
  // +10 points, far outside what resampling moves.
  const TwoModels gain(300, 350);
  const PairedComparison big = compare_paired(gain.truth, gain.a, gain.b, 2);
  EXPECT_EQ(big.only_b_right, 100);
  EXPECT_EQ(big.only_a_right, 0);
  EXPECT_LT(big.mcnemar_p, 1e-20);
  EXPECT_NEAR(big.accuracy.delta(), 0.10, 1e-12);
  EXPECT_TRUE(big.accuracy.significant());
  EXPECT_GT(big.accuracy.low, 0.05);
  EXPECT_LT(big.accuracy.high, 0.15);
  EXPECT_TRUE(big.recall[0].significant());
  EXPECT_NEAR(big.recall[0].delta(), 0.10, 1e-12);
  // Six faces B gets right that A does not, four the other way round: a
  // difference of 0.2 points that resampling easily undoes.
  TwoModels small(350, 353);
  for (int i = 0; i < 4; ++i) small.b[static_cast<size_t>(i)] = 1 - small.truth[static_cast<size_t>(i)];
  const PairedComparison r = compare_paired(small.truth, small.a, small.b, 2);
  EXPECT_EQ(r.only_b_right, 6);
  EXPECT_EQ(r.only_a_right, 4);
  EXPECT_NEAR(r.mcnemar_p, 0.75390625, 1e-12);
  EXPECT_NEAR(r.accuracy.delta(), 0.002, 1e-12);
  EXPECT_FALSE(r.accuracy.significant()) << r.accuracy.low << " .. " << r.accuracy.high;
  EXPECT_LT(r.accuracy.low, 0.0);
  EXPECT_GT(r.accuracy.high, 0.0);
  const PairedComparison again = compare_paired(small.truth, small.a, small.b, 2);
  EXPECT_DOUBLE_EQ(again.accuracy.low, r.accuracy.low) << "the same seed, the same interval";
  EXPECT_DOUBLE_EQ(again.recall[1].high, r.recall[1].high);
  nlohmann::json j = r.to_json({"x", "y"});
  EXPECT_EQ(j["only_b_right"], 6);
  EXPECT_TRUE(j["per_class"]["y"]["precision"].contains("low"));
}

TEST(PairedComparison, PredictionsThatDoNotLineUpAreRefused) {
  const TwoModels m(300, 300);
  std::vector<int64_t> shorter(m.b.begin(), m.b.end() - 1);
  EXPECT_THROW(compare_paired(m.truth, m.a, shorter, 2), std::invalid_argument);
  std::vector<int64_t> stray = m.b;
  stray[7] = 5;
  EXPECT_THROW(compare_paired(m.truth, m.a, stray, 2), std::invalid_argument);
  EXPECT_THROW(compare_paired({}, {}, {}, 2), std::invalid_argument);
}

// CK+ has 10 people: a gain that comes from one person is not a gain the
// next 10 people will see. Resampling people, not faces, says so.
TEST(PairedComparison, GroupsAreResampledWhole) {
  std::vector<int64_t> truth, a, b, person;
  for (int64_t g = 0; g < 10; ++g)
    for (int i = 0; i < 100; ++i) {
      truth.push_back(i % 2);
      a.push_back(i < 60 ? i % 2 : 1 - i % 2);
      b.push_back(i < (g == 0 ? 90 : 60) ? i % 2 : 1 - i % 2);  // person 0: 30 faces more
      person.push_back(g);
    }
  const PairedComparison faces = compare_paired(truth, a, b, 2);
  PairedComparisonParams by_person;
  by_person.groups = person;
  const PairedComparison people = compare_paired(truth, a, b, 2, by_person);
  EXPECT_EQ(faces.groups, 1000);
  EXPECT_EQ(people.groups, 10);
  EXPECT_NEAR(people.accuracy.delta(), 0.03, 1e-12);
  EXPECT_DOUBLE_EQ(people.mcnemar_p, faces.mcnemar_p) << "the test itself is per face";
  EXPECT_TRUE(faces.accuracy.significant()) << faces.accuracy.low;
  EXPECT_FALSE(people.accuracy.significant()) << "one person in ten is left out of a third of the resamples";
  EXPECT_GT(people.accuracy.high - people.accuracy.low, faces.accuracy.high - faces.accuracy.low);
  by_person.groups.pop_back();
  EXPECT_THROW(compare_paired(truth, a, b, 2, by_person), std::invalid_argument);
}
