#include <gtest/gtest.h>

#include "common/emotions.h"
#include <opencv2/imgproc.hpp>

#include "vision/face_quality.h"
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

// A dark, flat or blurred face counts less in the smoothed mood.
TEST(Tracker, PoorFramesMoveTheMoodLess) {
  FaceTracker good, poor;
  const cv::Rect box(100, 80, 120, 120);
  good.update({box}, {onehot(3)});
  poor.update({box}, {onehot(3)});
  FaceQuality dark;
  dark.dark = true;
  dark.weight = 0.25f;
  const float moved_good = good.update({box}, {onehot(5)})[0].smoothed[5];
  const float moved_poor = poor.update({box}, {onehot(5)}, {dark})[0].smoothed[5];
  EXPECT_NEAR(moved_good - 0.1f / 6, 0.35f * (0.9f - 0.1f / 6), 1e-5);
  EXPECT_NEAR(moved_poor - 0.1f / 6, 0.25f * 0.35f * (0.9f - 0.1f / 6), 1e-5);
  EXPECT_FALSE(poor.all_tracks()[0].quality.ok());
  EXPECT_THROW(poor.update({box}, {onehot(5)}, {dark, dark}), std::invalid_argument);
}

namespace {
// A face-sized texture with detail at every scale, as photos have:
// slightly smoothed noise with a broad shading across it.
cv::Mat detailed_face() {
  cv::Mat noise(48, 48, CV_32F), f;
  cv::RNG(7).fill(noise, cv::RNG::NORMAL, 0.0, 40.0);
  cv::GaussianBlur(noise, noise, cv::Size(), 0.7);
  for (int y = 0; y < 48; ++y)
    for (int x = 0; x < 48; ++x) noise.at<float>(y, x) += 128.0f + 1.2f * static_cast<float>(x - 24);
  noise.convertTo(f, CV_8U);
  return f;
}
}  // namespace

TEST(FaceQuality, DarkFlatAndBlurredCropsAreFlaggedWithAHint) {
  const cv::Mat face = detailed_face();
  const FaceQuality ok = measure_face_quality(face);
  EXPECT_TRUE(ok.ok()) << ok.brightness << " " << ok.contrast << " " << ok.sharpness;
  EXPECT_EQ(ok.weight, 1.0f);
  EXPECT_EQ(ok.hint(), "");

  cv::Mat dark, flat, blurred;
  face.convertTo(dark, -1, 0.08, 0);
  face.convertTo(flat, -1, 0.1, 0.9 * 128);
  cv::GaussianBlur(face, blurred, cv::Size(), 3.0);
  const FaceQuality d = measure_face_quality(dark), f = measure_face_quality(flat), b = measure_face_quality(blurred);
  EXPECT_TRUE(d.dark);
  EXPECT_EQ(d.hint(), "too dark — turn on a light");
  EXPECT_EQ(d.weight, QualityThresholds{}.poor_weight);
  EXPECT_FALSE(f.dark);
  EXPECT_TRUE(f.flat);
  EXPECT_FALSE(f.blurry) << "low contrast alone is not blur: " << f.sharpness;
  EXPECT_EQ(f.issues(), std::vector<std::string>{"low contrast"});
  EXPECT_TRUE(b.blurry);
  EXPECT_FALSE(b.dark);
  EXPECT_NE(b.hint().find("blurred"), std::string::npos);
  EXPECT_THROW(measure_face_quality(cv::Mat(48, 48, CV_8UC3)), std::invalid_argument);
}
