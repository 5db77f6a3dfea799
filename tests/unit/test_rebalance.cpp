// Prior (logit) adjustment: checked against the formula, computed by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "../test_support.h"
#include "vision/quantize.h"
#include "vision/model_tools.h"
#include "vision/rebalance.h"

using namespace moodtune;

namespace {
LoadedModel small_model() {
  torch::manual_seed(5);
  LoadedModel m;
  m.info.net.width = 8;
  m.info.net = resolve_config(m.info.net);
  m.info.classes = {"angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"};
  m.net = make_emotion_net(m.info.net);
  m.net->eval();
  return m;
}

torch::Tensor logits_of(LoadedModel& m, const torch::Tensor& x) {
  torch::NoGradGuard ng;
  return m.net->forward(x);
}
}  // namespace

TEST(Rebalance, LogitsMoveByMinusStrengthTimesLogPriorCentred) {
  LoadedModel m = small_model();
  const std::vector<double> counts = {400, 40, 400, 800, 400, 400, 400};
  m.info.meta["class_prior"] = counts;  // as `moodtune train` records it (counts or shares)
  torch::manual_seed(2);
  const torch::Tensor x = torch::randn({4, 1, 48, 48});
  const torch::Tensor before = logits_of(m, x);
  RebalanceParams p;
  p.strength = 0.5;
  rebalance_model(m, p);
  const torch::Tensor shift = logits_of(m, x) - before;
  double total = 0, mean_log = 0;
  for (double c : counts) total += c;
  for (double c : counts) mean_log += std::log(c / total) / 7;
  for (int64_t c = 0; c < 7; ++c) {
    const double want = -0.5 * (std::log(counts[static_cast<size_t>(c)] / total) - mean_log);
    for (int64_t i = 0; i < 4; ++i) EXPECT_NEAR(shift[i][c].item<double>(), want, 1e-5) << "class " << c;
  }
  // The rare class gains, the frequent one loses; the record says how.
  EXPECT_GT(shift[0][1].item<double>(), 0);
  EXPECT_LT(shift[0][3].item<double>(), 0);
  EXPECT_DOUBLE_EQ(m.info.meta["rebalanced"]["strength"].get<double>(), 0.5);
  EXPECT_NEAR(m.info.meta["rebalanced"]["class_prior"][3].get<double>(), 800 / total, 1e-12);
  // Twice would compound silently: refused.
  EXPECT_THROW(rebalance_model(m, p), std::invalid_argument);
}

TEST(Rebalance, StrengthZeroChangesNothing) {
  LoadedModel m = small_model();
  const torch::Tensor x = torch::ones({1, 1, 48, 48});
  const torch::Tensor before = logits_of(m, x);
  RebalanceParams p;
  p.strength = 0;
  p.class_prior = {1, 2, 3, 4, 5, 6, 7};
  rebalance_model(m, p);
  EXPECT_TRUE(torch::allclose(before, logits_of(m, x)));
}

TEST(Rebalance, RefusesWhatItCannotAdjustWithAMessage) {
  auto refused = [](LoadedModel& m, RebalanceParams p, const std::string& says) {
    try {
      rebalance_model(m, p);
      ADD_FAILURE() << "accepted; expected: " << says;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  };
  LoadedModel m = small_model();
  refused(m, {}, "--class-prior");  // an older model records no prior
  refused(m, {1.0, {1, 2, 3}}, "has 3 values");
  refused(m, {1.0, {1, 2, 3, 0, 5, 6, 7}}, "positive");
  refused(m, {-1.0, {1, 2, 3, 4, 5, 6, 7}}, "0 or more");
  LoadedModel q = quantize_model(m, torch::randn({4, 1, 48, 48}), {}).model;
  refused(q, {1.0, {1, 2, 3, 4, 5, 6, 7}}, "quantize it");
  auto dir = test::temp_dir("rebalance");
  const std::string a = (dir / "a.mtm").string();
  save_model_file(a, m.net, m.info);
  LoadedModel e = load_models(a + "," + a);
  refused(e, {1.0, {1, 2, 3, 4, 5, 6, 7}}, "each member");
}

TEST(Rebalance, TheFileConversionWritesANewModelAndNeverItsInput) {
  LoadedModel m = small_model();
  m.info.meta["class_prior"] = {1, 2, 3, 4, 5, 6, 7};
  auto dir = test::temp_dir("rebalance-file");
  const std::string in = (dir / "in.mtm").string(), out = (dir / "out.mtm").string();
  save_model_file(in, m.net, m.info);
  const auto before = test::slurp(in);
  RebalanceFileParams p{in, out, {}};
  p.rebalance.strength = 0.5;
  rebalance_model_file(p);
  const ModelInfo info = read_model_info(out);
  EXPECT_EQ(info.meta["rebalanced"]["from"], "in.mtm");
  EXPECT_DOUBLE_EQ(info.meta["rebalanced"]["strength"].get<double>(), 0.5);
  p.out = in;
  try {
    rebalance_model_file(p);
    ADD_FAILURE() << "overwrote its input";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("is the input model"), std::string::npos) << e.what();
  }
  EXPECT_EQ(test::slurp(in), before);
}
