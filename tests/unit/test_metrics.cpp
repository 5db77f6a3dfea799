#include <gtest/gtest.h>

#include "common/stats.h"
#include "training/metrics.h"

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
