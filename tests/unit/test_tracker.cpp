#include <gtest/gtest.h>

#include "common/emotions.h"
#include "vision/face_tracker.h"

using namespace moodtune;

namespace {
std::vector<float> onehot(int k, float p = 0.9f) {
  std::vector<float> v(7, (1 - p) / 6);
  v[static_cast<size_t>(k)] = p;
  return v;
}
}  // namespace

TEST(Tracker, MovingFaceKeepsItsId) {
  FaceTracker t;
  int id = 0;
  for (int f = 0; f < 30; ++f) {
    auto tr = t.update({cv::Rect(100 + f * 6, 80, 120, 120)}, {onehot(3)});
    ASSERT_EQ(tr.size(), 1u);
    if (f == 0) id = tr[0].id;
    EXPECT_EQ(tr[0].id, id) << "frame " << f;
  }
}

TEST(Tracker, TwoFacesStayApart) {
  FaceTracker t;
  auto first = t.update({cv::Rect(10, 10, 100, 100), cv::Rect(300, 10, 100, 100)}, {onehot(3), onehot(5)});
  ASSERT_EQ(first.size(), 2u);
  for (int f = 1; f < 10; ++f) {
    // Listed in the other order: matching must go by position, not index.
    auto tr = t.update({cv::Rect(300 + f, 10, 100, 100), cv::Rect(10 + f, 10, 100, 100)}, {onehot(5), onehot(3)});
    ASSERT_EQ(tr.size(), 2u);
    EXPECT_EQ(tr[0].id, first[1].id);
    EXPECT_EQ(tr[1].id, first[0].id);
    EXPECT_EQ(top_class(tr[0].smoothed), 5);
    EXPECT_EQ(top_class(tr[1].smoothed), 3);
  }
}

TEST(Tracker, OneFrameFlickerDoesNotFlipTheSmoothedEmotion) {
  FaceTracker t;
  for (int f = 0; f < 10; ++f) t.update({cv::Rect(50, 50, 100, 100)}, {onehot(3)});
  auto tr = t.update({cv::Rect(52, 50, 100, 100)}, {onehot(0)});  // one "angry" frame
  EXPECT_EQ(top_class(tr[0].probs), 0);
  EXPECT_EQ(top_class(tr[0].smoothed), 3);
  // A sustained change does come through.
  for (int f = 0; f < 6; ++f) tr = t.update({cv::Rect(52, 50, 100, 100)}, {onehot(0)});
  EXPECT_EQ(top_class(tr[0].smoothed), 0);
}

TEST(Tracker, SmoothingIsAnExponentialMovingAverage) {
  TrackerParams p;
  p.alpha = 0.5f;
  FaceTracker t(p);
  t.update({cv::Rect(0, 0, 50, 50)}, {{1.f, 0.f}});
  auto tr = t.update({cv::Rect(0, 0, 50, 50)}, {{0.f, 1.f}});
  EXPECT_FLOAT_EQ(tr[0].smoothed[0], 0.5f);
  tr = t.update({cv::Rect(0, 0, 50, 50)}, {{0.f, 1.f}});
  EXPECT_FLOAT_EQ(tr[0].smoothed[0], 0.25f);
}

TEST(Tracker, LostTrackExpiresAndANewFaceGetsANewId) {
  TrackerParams p;
  p.max_missed = 3;
  FaceTracker t(p);
  int id = t.update({cv::Rect(0, 0, 80, 80)}, {onehot(1)})[0].id;
  for (int f = 0; f < 2; ++f) t.update({}, {});
  EXPECT_EQ(t.update({cv::Rect(2, 0, 80, 80)}, {onehot(1)})[0].id, id);  // back within the budget
  for (int f = 0; f < 4; ++f) t.update({}, {});
  EXPECT_TRUE(t.all_tracks().empty());
  EXPECT_NE(t.update({cv::Rect(2, 0, 80, 80)}, {onehot(1)})[0].id, id);
}

TEST(Tracker, MismatchedInputsThrow) {
  FaceTracker t;
  EXPECT_THROW(t.update({cv::Rect(0, 0, 1, 1)}, {}), std::invalid_argument);
}

TEST(Tracker, SearchHintsFollowTheFacesWithRegularFullScans) {
  TrackerParams p;
  p.full_scan_every = 4;
  FaceTracker t(p);
  EXPECT_TRUE(t.search_hints().empty());  // nothing seen yet: scan everything
  const cv::Rect face(100, 80, 120, 120);
  t.update({face}, {onehot(3)});
  ASSERT_EQ(t.search_hints().size(), 1u);
  EXPECT_EQ(t.search_hints()[0], face);
  t.update({face}, {onehot(3)});
  t.update({face}, {onehot(3)});
  EXPECT_EQ(t.search_hints().size(), 1u);
  t.update({face}, {onehot(3)});  // 4th update: the next frame is a full scan
  EXPECT_TRUE(t.search_hints().empty());
  t.update({face}, {onehot(3)});
  EXPECT_EQ(t.search_hints().size(), 1u);
  t.update({}, {});  // the face was lost: look everywhere
  EXPECT_TRUE(t.search_hints().empty());
}
