// The int8 model: it follows the float net it came from, keeps that through
// its file, refuses what it cannot do with a message, and is safe to share
// between threads. (The shipped int8 model on real faces: the CLI test.)
#include <gtest/gtest.h>

#include <thread>

#include "../test_support.h"
#include "small_nets.h"
#include "vision/quantize.h"
#include "vision/quantized_net.h"

using namespace moodtune;

namespace {
torch::Tensor probs(EmotionNet& net, const torch::Tensor& x) {
  torch::NoGradGuard ng;
  return torch::softmax(net->forward(x), 1);
}
}  // namespace

TEST(Quantize, TheInt8NetFollowsTheFloatNet) {
  LoadedModel f = test::small_float_model();
  QuantizeResult r = quantize_model(f, test::faces(96, 1));
  EXPECT_EQ(r.faces, 96);
  EXPECT_EQ(r.model.info.precision, "int8");
  EXPECT_TRUE(r.model.net->is_int8());
  EXPECT_EQ(r.model.info.meta["quantization"]["calibration_faces"], 96);
  // On faces it was not calibrated on.
  torch::Tensor x = test::faces(64, 2);
  torch::Tensor pf = probs(f.net, x), pq = probs(r.model.net, x);
  EXPECT_LT((pf - pq).abs().max().item<double>(), 0.08);
  EXPECT_GE((pf.argmax(1) == pq.argmax(1)).to(torch::kFloat).mean().item<double>(), 0.9);
  // A batch gives what its faces give one at a time.
  torch::Tensor one = probs(r.model.net, x.slice(0, 3, 4));
  EXPECT_LT((one - pq.slice(0, 3, 4)).abs().max().item<double>(), 1e-5);
}

TEST(Quantize, MinmaxAndPercentileObserversBothWork) {
  LoadedModel f = test::small_float_model();
  for (const char* obs : {"minmax", "percentile"}) {
    QuantizeParams p;
    p.observer = obs;
    QuantizeResult r = quantize_model(f, test::faces(64, 1), p);
    EXPECT_GE(r.agreement, 0.9) << obs;
    EXPECT_EQ(r.model.info.meta["quantization"]["observer"], obs);
  }
}

TEST(Quantize, TheFileIsSmallerAndLoadsToTheSameNet) {
  auto dir = test::temp_dir("quantize-file");
  LoadedModel f = test::small_float_model(16);
  QuantizeResult r = quantize_model(f, test::faces(32, 1));
  const std::string fp = (dir / "f.mtm").string(), qp = (dir / "q.mtm").string();
  save_model_file(fp, f.net, f.info);
  save_model_file(qp, r.model.net, r.model.info);
  EXPECT_LT(std::filesystem::file_size(qp), std::filesystem::file_size(fp) * 0.4);
  EXPECT_EQ(read_model_info(qp).precision, "int8");
  EXPECT_EQ(read_model_info(fp).precision, "float32");
  LoadedModel back = load_model_file(qp);
  ASSERT_TRUE(back.net->is_int8());
  EXPECT_EQ(back.net->parameter_count(), r.model.net->parameter_count());
  torch::Tensor x = test::faces(8, 3);
  EXPECT_TRUE(torch::equal(probs(back.net, x), probs(r.model.net, x)));
  // An ensemble may mix float and int8 members.
  LoadedModel mixed = load_models(fp + "," + qp);
  EXPECT_EQ(probs(mixed.net, x).size(0), 8);
}

TEST(Quantize, TheFullResolutionStemQuantizesAndRoundTripsToo) {
  auto dir = test::temp_dir("quantize-fullres");
  LoadedModel f = test::small_float_model(16, "resnet-compact-fullres");
  // Its stem keeps 48 px with half the width; the first block halves both.
  const auto params = f.net->named_parameters();
  ASSERT_TRUE(params.contains("backbone.0.weight"));
  EXPECT_EQ(params["backbone.0.weight"].sizes(), torch::IntArrayRef({8, 1, 3, 3}));
  torch::Tensor x = test::faces(32, 4);
  EXPECT_EQ(f.net->class_activation_map(x.slice(0, 0, 1), 0, 3).sizes(), torch::IntArrayRef({1, 24, 24}));
  QuantizeResult r = quantize_model(f, test::faces(96, 1));
  torch::Tensor pf = probs(f.net, x), pq = probs(r.model.net, x);
  EXPECT_LT((pf - pq).abs().max().item<double>(), 0.08);
  EXPECT_GE((pf.argmax(1) == pq.argmax(1)).to(torch::kFloat).mean().item<double>(), 0.9);
  const std::string fp = (dir / "f.mtm").string(), qp = (dir / "q.mtm").string();
  save_model_file(fp, f.net, f.info);
  save_model_file(qp, r.model.net, r.model.info);
  EXPECT_EQ(read_model_info(fp).net.arch, "resnet-compact-fullres");
  LoadedModel f_back = load_model_file(fp), q_back = load_model_file(qp);
  EXPECT_TRUE(torch::allclose(probs(f_back.net, x), pf));
  EXPECT_TRUE(torch::equal(probs(q_back.net, x), pq));
}

TEST(Quantize, RefusesWhatCannotBeQuantizedWithAMessage) {
  LoadedModel f = test::small_float_model();
  auto message = [](auto&& fn) {
    try {
      fn();
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  LoadedModel ens;
  ens.info = f.info;
  ens.net = EmotionNet(std::vector<std::shared_ptr<EmotionNetImpl>>{f.net.ptr(), f.net.ptr()});
  EXPECT_NE(message([&] { quantize_model(ens, test::faces(4, 1)); }).find("quantize each member"), std::string::npos);
  QuantizeResult r = quantize_model(f, test::faces(16, 1));
  EXPECT_NE(message([&] { quantize_model(r.model, test::faces(4, 1)); }).find("int8 already"), std::string::npos);
  EXPECT_NE(message([&] { quantize_model(f, torch::zeros({4, 1, 32, 32})); }).find("[N,1,48,48]"), std::string::npos);
  QuantizeParams bad;
  bad.observer = "entropy";
  EXPECT_NE(message([&] { quantize_model(f, test::faces(4, 1), bad); }).find("unknown observer"), std::string::npos);

  // An int8 net only infers: gradients are asked for by name.
  EXPECT_THROW(r.model.net->class_activation_map(test::faces(1, 1), 0, 0), std::logic_error);
  EXPECT_NE(message([&] { r.model.net->train(true); }).find("float model"), std::string::npos);
  EXPECT_THROW(r.model.net->reset_head(3), std::logic_error);
}

TEST(Quantize, BrokenLayersAreNamed) {
  LoadedModel f = test::small_float_model();
  QuantizedLayers layers = quantize_model(f, test::faces(16, 1)).model.net->int8()->layers();
  auto message = [](QuantizedLayers l) {
    try {
      QuantizedNet q(std::move(l));
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  QuantizedLayers l = layers;
  l.blocks[2].conv2.weight_scale = l.blocks[2].conv2.weight_scale.clone().fill_(0);
  EXPECT_NE(message(l).find("block 2 conv2"), std::string::npos) << message(l);
  l = layers;
  l.blocks[1].conv1.weight = l.blocks[3].conv1.weight;  // wrong channel count
  EXPECT_NE(message(l).find("block 1 conv1"), std::string::npos) << message(l);
  l = layers;
  l.stem.out_zero_point = 300;
  EXPECT_NE(message(l).find("stem"), std::string::npos);
  l = layers;
  l.head_weight = torch::zeros({7, 3});
  EXPECT_NE(message(l).find("head"), std::string::npos);
}

TEST(Quantize, OneSharedInt8NetServesManyThreadsAlike) {
  LoadedModel f = test::small_float_model();
  EmotionNet net = quantize_model(f, test::faces(16, 1)).model.net;
  const torch::Tensor x = test::faces(4, 7);
  torch::Tensor want;
  {
    torch::InferenceMode g;
    want = net->forward(x);
  }
  std::vector<int> same(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      torch::InferenceMode g;
      for (int i = 0; i < 25; ++i) same[static_cast<size_t>(t)] += torch::equal(net->forward(x), want);
    });
  for (auto& th : threads) th.join();
  for (int s : same) EXPECT_EQ(s, 25);
}
