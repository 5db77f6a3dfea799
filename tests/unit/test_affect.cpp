#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "mood/affect.h"

using namespace moodtune;

TEST(Affect, TableFollowsEmotionNamesAndEachPointIsItsOwnNearest) {
  ASSERT_EQ(kEmotionVA.size(), kEmotionNames.size());
  for (size_t i = 0; i < kEmotionNames.size(); ++i) {
    EXPECT_EQ(nearest_emotion(kEmotionVA[i]), kEmotionNames[i]);
    EXPECT_EQ(emotion_va(kEmotionNames[i])->valence, kEmotionVA[i].valence);
  }
  EXPECT_DOUBLE_EQ(emotion_va("happy")->valence, 0.83);
  EXPECT_FALSE(emotion_va("bored"));
  EXPECT_EQ(nearest_emotion({0.05, -0.02}), "neutral");
}

TEST(Affect, UnitScaleRoundTrips) {
  for (double v : {-1.0, -0.3, 0.0, 0.5, 1.0})
    for (double a : {-1.0, 0.2, 1.0}) {
      const UnitVA u = va_to_unit({v, a});
      EXPECT_GE(u.valence, 0.0);
      EXPECT_LE(u.energy, 1.0);
      const VA back = va_from_unit(u);
      EXPECT_NEAR(back.valence, v, 1e-12);
      EXPECT_NEAR(back.arousal, a, 1e-12);
    }
  EXPECT_DOUBLE_EQ(va_from_unit(0.5, 0.5).valence, 0.0);
  EXPECT_DOUBLE_EQ(va_from_unit(1.0, 0.0).arousal, -1.0);
}

TEST(Affect, MoodFromProbsRejectsWhatIsNotAProbability) {
  const std::vector<std::string> cls = default_class_names();
  std::vector<float> p(7, 0.0f);
  p[3] = 1.0f;
  EXPECT_DOUBLE_EQ(mood_from_probs(p, cls).valence, 0.83);
  p[0] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(mood_from_probs(p, cls), std::invalid_argument);
  p[0] = std::numeric_limits<float>::infinity();
  EXPECT_THROW(mood_from_probs(p, cls), std::invalid_argument);
  p[0] = -0.1f;
  EXPECT_THROW(mood_from_probs(p, cls), std::invalid_argument);
  EXPECT_THROW(mood_from_probs(std::vector<float>(7, 0.0f), cls), std::invalid_argument);
}
