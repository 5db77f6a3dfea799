#include <gtest/gtest.h>

#include "training/mixing.h"

using namespace moodtune;

namespace {
// Each image constant at its own index, so every pixel tells where it came from.
torch::Tensor indexed_batch(int64_t n, int64_t s = 16) {
  return torch::arange(n, torch::kFloat32).view({n, 1, 1, 1}).expand({n, 1, s, s}).contiguous();
}
}  // namespace

TEST(Mixing, NoneAndProbZeroLeaveBatch) {
  torch::Tensor x = indexed_batch(8), y = torch::arange(8, torch::kLong);
  std::mt19937_64 rng(1);
  MixParams p;
  MixedBatch mb = mix_batch(x, y, p, rng);
  EXPECT_EQ(mb.lam, 1.0);
  EXPECT_TRUE(torch::equal(mb.x, x));
  p.mode = MixMode::kCutMix;
  p.prob = 0.0;
  mb = mix_batch(x, y, p, rng);
  EXPECT_EQ(mb.lam, 1.0);
  EXPECT_TRUE(torch::equal(mb.y_b, y));
}

TEST(Mixing, MixUpBlendsWithPartnerByLam) {
  torch::Tensor x = indexed_batch(8), y = torch::arange(8, torch::kLong);
  MixParams p{MixMode::kMixUp, 1.0, 1.0};
  std::mt19937_64 rng(7);
  MixedBatch mb = mix_batch(x, y, p, rng);
  ASSERT_LT(mb.lam, 1.0);
  ASSERT_GT(mb.lam, 0.0);
  // Pixel value = lam * own index + (1 - lam) * partner's index (= y_b).
  torch::Tensor expect =
      (y.to(torch::kFloat32) * mb.lam + mb.y_b.to(torch::kFloat32) * (1 - mb.lam)).view({8, 1, 1, 1});
  EXPECT_TRUE(torch::allclose(mb.x, expect.expand_as(x), 1e-5, 1e-5));
  EXPECT_TRUE(torch::equal(mb.y_a, y));
  EXPECT_FALSE(torch::equal(mb.y_b, y));  // a shuffle of 8 that fixes all 8 is vanishingly rare with this seed
}

TEST(Mixing, CutMixLamIsShareOfOwnPixels) {
  torch::Tensor x = indexed_batch(6, 48), y = torch::arange(6, torch::kLong);
  MixParams p{MixMode::kCutMix, 1.0, 1.0};
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    MixedBatch mb = mix_batch(x, y, p, rng);
    for (int64_t i = 0; i < 6; ++i) {
      if (mb.y_b[i].item<int64_t>() == i) continue;  // own partner: nothing to tell apart
      const double own = mb.x[i].eq(static_cast<float>(i)).sum().item<double>() / (48.0 * 48.0);
      EXPECT_NEAR(own, mb.lam, 1e-9) << "seed " << seed << " image " << i;
      // Every other pixel comes from the partner.
      EXPECT_EQ(mb.x[i].eq(static_cast<float>(i)).logical_or(mb.x[i].eq(mb.y_b[i].item<float>())).all().item<bool>(),
                true);
    }
    EXPECT_GE(mb.lam, 0.0);
    EXPECT_LE(mb.lam, 1.0);
  }
}

TEST(Mixing, SeededAndBetaMean) {
  torch::Tensor x = indexed_batch(8), y = torch::arange(8, torch::kLong);
  MixParams p{MixMode::kCutMix, 1.0, 1.0};
  std::mt19937_64 r1(5), r2(5);
  MixedBatch a = mix_batch(x, y, p, r1), b = mix_batch(x, y, p, r2);
  EXPECT_TRUE(torch::equal(a.x, b.x));
  EXPECT_EQ(a.lam, b.lam);
  std::mt19937_64 rng(3);
  double sum = 0;
  for (int i = 0; i < 4000; ++i) sum += sample_beta(0.4, rng);
  EXPECT_NEAR(sum / 4000, 0.5, 0.03);  // Beta(a, a) is symmetric about 0.5
}

TEST(Mixing, ParseNames) {
  EXPECT_EQ(parse_mix_mode("cutmix"), MixMode::kCutMix);
  EXPECT_EQ(parse_mix_mode("mixup"), MixMode::kMixUp);
  EXPECT_EQ(parse_mix_mode("none"), MixMode::kNone);
  EXPECT_THROW(parse_mix_mode("blend"), std::invalid_argument);
}
