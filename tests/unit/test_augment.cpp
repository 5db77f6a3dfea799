#include <gtest/gtest.h>

#include "training/augment.h"
#include "training/trainer.h"

using namespace moodtune;

namespace {
torch::Tensor ramp_batch() {
  torch::Tensor u8 = torch::empty({4, 48, 48}, torch::kUInt8);
  auto a = u8.accessor<uint8_t, 3>();
  for (int b = 0; b < 4; ++b)
    for (int y = 0; y < 48; ++y)
      for (int x = 0; x < 48; ++x) a[b][y][x] = static_cast<uint8_t>((x * 5 + y * 2 + b * 9) % 256);
  return u8;
}
}  // namespace

TEST(Augment, SameSeedSameResult) {
  AugmentParams p;
  torch::Tensor a = ramp_batch(), b = ramp_batch();
  std::mt19937 r1(42), r2(42);
  augment_batch(a, p, r1);
  augment_batch(b, p, r2);
  EXPECT_TRUE(torch::equal(a, b));
  torch::Tensor c = ramp_batch();
  std::mt19937 r3(43);
  augment_batch(c, p, r3);
  EXPECT_FALSE(torch::equal(a, c));
  EXPECT_FALSE(torch::equal(a, ramp_batch()));
}

TEST(Augment, DisabledIsTheIdentity) {
  AugmentParams p;
  p.enabled = false;
  torch::Tensor a = ramp_batch();
  std::mt19937 r(1);
  augment_batch(a, p, r);
  EXPECT_TRUE(torch::equal(a, ramp_batch()));
}

TEST(Augment, EachTransformCanBeSwitchedOffAlone) {
  AugmentParams p;
  p.flip = false;
  p.rotate_deg = p.scale = p.shift = 0;
  p.brightness = p.contrast = p.gamma = 0;
  p.erase_prob = 0;
  torch::Tensor a = ramp_batch();
  std::mt19937 r(1);
  augment_batch(a, p, r);
  EXPECT_TRUE(torch::equal(a, ramp_batch()));  // all off = unchanged
  p.brightness = 0.3f;
  augment_batch(a, p, r);
  EXPECT_FALSE(torch::equal(a, ramp_batch()));
}

TEST(Augment, LightingTransforms) {
  torch::Tensor x = torch::full({1, 2, 2}, 100, torch::kUInt8);
  EXPECT_EQ(apply_lighting(x, Lighting::kDark)[0][0][0].item<int>(), 40);
  EXPECT_EQ(apply_lighting(x, Lighting::kBright)[0][0][0].item<int>(), 180);
  torch::Tensor white = torch::full({1, 2, 2}, 250, torch::kUInt8);
  EXPECT_EQ(apply_lighting(white, Lighting::kBright)[0][0][0].item<int>(), 255);  // clamped
}

TEST(Resampling, OversamplingRaisesOnlyMinorityClasses) {
  auto t = resampled_counts({100, 10, 60}, "oversample", 0.5);
  EXPECT_EQ(t, (std::vector<int64_t>{100, 50, 60}));
  EXPECT_EQ(resampled_counts({100, 10, 60}, "weights", 0.5), (std::vector<int64_t>{100, 10, 60}));
  EXPECT_EQ(resampled_counts({100, 10, 0}, "oversample", 1.0), (std::vector<int64_t>{100, 100, 0}));
}

TEST(Resampling, EpochIndicesKeepEveryImageAndHitTheTargets) {
  FaceDataset d;
  d.classes = {"a", "b"};
  d.labels = {0, 0, 0, 0, 1};
  std::mt19937_64 rng(1);
  auto idx = epoch_indices(d, {4, 3}, rng);
  EXPECT_EQ(idx.size(), 7u);
  std::vector<int> seen(5, 0);
  for (auto i : idx) {
    ASSERT_GE(i, 0);
    ASSERT_LT(i, 5);
    seen[static_cast<size_t>(i)]++;
  }
  for (int i = 0; i < 4; ++i) EXPECT_EQ(seen[static_cast<size_t>(i)], 1);
  EXPECT_EQ(seen[4], 3);
}

TEST(Schedule, OneCycleWarmsUpPeaksAndAnneals) {
  TrainParams p;
  p.lr = 0.1;
  p.schedule = "onecycle";
  p.warmup_fraction = 0.2;
  EXPECT_NEAR(scheduled_lr(p, 0, 100), 0.1 / 25, 1e-12);
  EXPECT_NEAR(scheduled_lr(p, 20, 100), 0.1, 1e-12);
  EXPECT_LT(scheduled_lr(p, 100, 100), 0.1 / 1000);
  p.schedule = "cosine";
  EXPECT_NEAR(scheduled_lr(p, 60, 100), 0.05, 1e-12);
  p.schedule = "bogus";
  EXPECT_THROW(scheduled_lr(p, 0, 1), std::invalid_argument);
}
