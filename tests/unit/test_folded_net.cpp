// The oneDNN fast path for float nets: it computes what the net computes
// (the plain libtorch layers are the reference), follows the net's mode and
// head, steps aside for gradients and training, and is safe to share between
// threads. (The shipped model on real faces: the classifier's CLI test.)
#include <gtest/gtest.h>

#include <thread>

#include "small_nets.h"
#include "vision/folded_net.h"

using namespace moodtune;

namespace {
torch::Tensor logits(EmotionNet& net, const torch::Tensor& x) {
  torch::InferenceMode im;
  return net->forward(x).clone();
}
}  // namespace

TEST(FoldedNet, OneDnnComputesWhatThePlainNetComputes) {
  if (!onednn_available()) GTEST_SKIP() << "libtorch without oneDNN";
  for (const std::string arch : {"resnet-compact", "resnet-compact-fullres", "resnet-wide"}) {
    LoadedModel m = test::small_float_model(8, arch);
    for (int64_t n : {1, 5}) {
      const torch::Tensor x = test::faces(n, 3);
      const torch::Tensor plain = logits(m.net, x);
      ASSERT_FALSE(m.net->fast_inference());
      ASSERT_TRUE(m.net->enable_fast_inference()) << arch;
      const torch::Tensor fast = logits(m.net, x);
      EXPECT_TRUE(m.net->fast_inference());
      EXPECT_LT((plain - fast).abs().max().item<double>(), 1e-4) << arch << " batch " << n;
      // Not trivially equal: the batch norms hold varied statistics.
      EXPECT_GT(plain.std().item<double>(), 1e-3);
      m.net->train();
      m.net->eval();
    }
  }
}

TEST(FoldedNet, TrainingDiscardsItAndNewWeightsNeedItAgain) {
  if (!onednn_available()) GTEST_SKIP() << "libtorch without oneDNN";
  LoadedModel m = test::small_float_model();
  const torch::Tensor x = test::faces(3, 4);
  ASSERT_TRUE(m.net->enable_fast_inference());
  m.net->train();  // the weights may change from here on
  EXPECT_FALSE(m.net->fast_inference());
  {
    torch::NoGradGuard ng;
    for (auto& p : m.net->parameters()) p.mul_(1.1);
  }
  m.net->eval();
  const torch::Tensor plain = logits(m.net, x);
  ASSERT_TRUE(m.net->enable_fast_inference());
  EXPECT_LT((plain - logits(m.net, x)).abs().max().item<double>(), 1e-4);
}

TEST(FoldedNet, TheHeadStaysTheNetsOwnAndGradientsUseTheLayers) {
  if (!onednn_available()) GTEST_SKIP() << "libtorch without oneDNN";
  LoadedModel m = test::small_float_model();
  const torch::Tensor x = test::faces(2, 5);
  ASSERT_TRUE(m.net->enable_fast_inference());
  const torch::Tensor before = logits(m.net, x);
  const torch::Tensor delta = torch::arange(7, torch::kFloat) * 0.1;
  m.net->shift_logits(delta);  // a calibration's prior shift
  EXPECT_LT((logits(m.net, x) - (before + delta)).abs().max().item<double>(), 1e-5);
  // Recorded gradients need the layers: an explanation still gets its map.
  const torch::Tensor cam = m.net->class_activation_map(x, 3, 1);
  EXPECT_EQ(cam.size(0), 2);
  EXPECT_GT(cam.abs().sum().item<double>(), 0);
}

TEST(FoldedNet, EnsemblesEnableTheirMembersAndInt8NetsKeepTheirOwnPath) {
  if (!onednn_available()) GTEST_SKIP() << "libtorch without oneDNN";
  LoadedModel a = test::small_float_model(8), b = test::small_float_model(8, "resnet-compact-fullres");
  EmotionNet ens(std::vector<std::shared_ptr<EmotionNetImpl>>{a.net.ptr(), b.net.ptr()});
  ens->eval();
  const torch::Tensor x = test::faces(2, 6);
  const torch::Tensor plain = logits(ens, x);
  EXPECT_TRUE(ens->enable_fast_inference());
  EXPECT_TRUE(ens->fast_inference());
  EXPECT_TRUE(a.net->fast_inference());
  EXPECT_LT((plain - logits(ens, x)).abs().max().item<double>(), 1e-4);
}

TEST(FoldedNet, OneSharedNetServesManyThreadsAlike) {
  if (!onednn_available()) GTEST_SKIP() << "libtorch without oneDNN";
  LoadedModel m = test::small_float_model(16);
  const torch::Tensor x = test::faces(8, 7);
  const torch::Tensor plain = logits(m.net, x);
  ASSERT_TRUE(m.net->enable_fast_inference());
  std::vector<double> worst(4, 1.0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      double w = 0;
      for (int r = 0; r < 20; ++r) {
        const int64_t i = (t + r) % 8;
        w = std::max(w, (logits(m.net, x.slice(0, i, i + 1)) - plain.slice(0, i, i + 1)).abs().max().item<double>());
      }
      worst[t] = w;
    });
  for (auto& th : threads) th.join();
  for (double w : worst) EXPECT_LT(w, 1e-4);
}
