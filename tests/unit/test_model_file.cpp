#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <fstream>

#include "../test_support.h"
#include "vision/model_file.h"
#include "vision/quantize.h"

using namespace moodtune;

namespace {
ModelInfo small_info() {
  ModelInfo info;
  info.net.arch = "resnet-compact";
  info.net.width = 8;
  info.net.num_classes = 7;
  info.net = resolve_config(info.net);
  info.classes = {"angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"};
  info.norm = {0.51f, 0.26f};
  info.meta = {{"note", "unit test"}};
  return info;
}

std::string save_small(const std::string& path, EmotionNet* out = nullptr) {
  torch::manual_seed(3);
  ModelInfo info = small_info();
  EmotionNet net = make_emotion_net(info.net);
  net->eval();
  save_model_file(path, net, info);
  if (out) *out = net;
  return path;
}

// Rewrites the JSON header and fixes lengths and checksum, to build files
// that are well-formed but say something else.
void rewrite_header(const std::string& path, const std::function<void(nlohmann::json&)>& edit) {
  std::string b = test::slurp(path);
  size_t pos = 15 + 4;
  uint64_t hlen;
  std::memcpy(&hlen, b.data() + pos, 8);
  nlohmann::json h = nlohmann::json::parse(b.substr(pos + 8, hlen));
  edit(h);
  std::string nh = h.dump();
  std::string rest = b.substr(pos + 8 + hlen, b.size() - (pos + 8 + hlen) - 4);
  std::string out = b.substr(0, pos);
  uint64_t nl = nh.size();
  out.append(reinterpret_cast<const char*>(&nl), 8);
  size_t hstart = out.size();
  out += nh + rest;
  uint32_t crc = static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(out.data() + hstart), static_cast<uInt>(out.size() - hstart)));
  out.append(reinterpret_cast<const char*>(&crc), 4);
  std::ofstream(path, std::ios::binary) << out;
}

std::string load_error(const std::string& path) {
  try {
    load_model_file(path);
  } catch (const ModelFileError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(ModelFile, RoundTripGivesBitIdenticalOutputs) {
  auto dir = test::temp_dir("model-roundtrip");
  EmotionNet net{nullptr};
  std::string path = save_small((dir / "m.mtm").string(), &net);
  LoadedModel m = load_model_file(path);
  EXPECT_EQ(m.info.classes, small_info().classes);
  EXPECT_FLOAT_EQ(m.info.norm.mean, 0.51f);
  EXPECT_EQ(m.info.meta["note"], "unit test");
  torch::manual_seed(9);
  torch::Tensor x = torch::randn({3, 1, 48, 48});
  torch::NoGradGuard ng;
  torch::Tensor a = net->forward(x), b = m.net->forward(x);
  EXPECT_TRUE(torch::equal(a, b));
}

TEST(ModelFile, MissingFileSaysNotFound) {
  EXPECT_NE(load_error("/nonexistent/model.mtm").find("not found"), std::string::npos);
}

TEST(ModelFile, NotAModelSaysSo) {
  auto dir = test::temp_dir("model-bad");
  std::ofstream(dir / "x.mtm") << "hello, I am a text file";
  EXPECT_NE(load_error((dir / "x.mtm").string()).find("not a moodtune model file"), std::string::npos);
  EXPECT_NE(load_error(dir.string()).find("directory"), std::string::npos);
}

TEST(ModelFile, TruncatedFileSaysTruncated) {
  auto dir = test::temp_dir("model-trunc");
  std::string path = save_small((dir / "m.mtm").string());
  std::string b = test::slurp(path);
  for (size_t keep : {size_t{20}, b.size() / 2, b.size() - 1}) {
    std::ofstream(path, std::ios::binary) << b.substr(0, keep);
    EXPECT_NE(load_error(path).find("truncated"), std::string::npos) << keep;
  }
}

TEST(ModelFile, FlippedByteFailsTheChecksum) {
  auto dir = test::temp_dir("model-crc");
  std::string path = save_small((dir / "m.mtm").string());
  std::string b = test::slurp(path);
  b[b.size() / 2] ^= 0x40;
  std::ofstream(path, std::ios::binary) << b;
  EXPECT_NE(load_error(path).find("corrupt"), std::string::npos);
}

TEST(ModelFile, UnknownArchitectureIsNamed) {
  auto dir = test::temp_dir("model-arch");
  std::string path = save_small((dir / "m.mtm").string());
  rewrite_header(path, [](nlohmann::json& h) { h["arch"] = "vit-huge"; });
  std::string err = load_error(path);
  EXPECT_NE(err.find("unknown architecture 'vit-huge'"), std::string::npos) << err;
}

TEST(ModelFile, WeightsOfAnotherArchitectureAreRefused) {
  auto dir = test::temp_dir("model-mismatch");
  std::string path = save_small((dir / "m.mtm").string());
  rewrite_header(path, [](nlohmann::json& h) { h["width"] = 16; });
  std::string err = load_error(path);
  EXPECT_NE(err.find("weights do not match"), std::string::npos) << err;
}

TEST(ModelFile, NewerArchitectureVersionIsRefused) {
  auto dir = test::temp_dir("model-version");
  std::string path = save_small((dir / "m.mtm").string());
  rewrite_header(path, [](nlohmann::json& h) { h["arch_version"] = 99; });
  EXPECT_NE(load_error(path).find("version 99"), std::string::npos);
}

TEST(ModelFile, ShippedModelLoads) {
  ModelInfo info = read_model_info(test::model_path());
  EXPECT_EQ(info.classes.size(), 7u);
  EXPECT_EQ(info.net.input_size, 48);
}

// Found by fuzz_model_file: a payload length near 2^64 made the bounds check
// (pos + n) wrap, and the checksum then read far past the buffer.
TEST(ModelFile, FuzzRegressionHugeLengthIsTruncationNotACrash) {
  const std::string path = std::string(MOODTUNE_SOURCE_DIR) + "/tests/data/fuzz/model_file_length_overflow.mtm";
  try {
    moodtune::load_model_file(path);
    FAIL() << "expected ModelFileError";
  } catch (const moodtune::ModelFileError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}

// The ensemble is checked against a plain reference: the mean of the
// members' own softmax outputs.
TEST(ModelFile, EnsembleAveragesItsMembersProbabilities) {
  auto dir = test::temp_dir("model-ensemble");
  EmotionNet a{nullptr};
  std::string pa = save_small((dir / "a.mtm").string(), &a);
  torch::manual_seed(11);
  ModelInfo info = small_info();
  EmotionNet b = make_emotion_net(info.net);
  b->eval();
  save_model_file((dir / "b.mtm").string(), b, info);
  LoadedModel e = load_models(pa + "," + (dir / "b.mtm").string());
  EXPECT_TRUE(e.net->is_ensemble());
  EXPECT_EQ(e.net->member_count(), 2u);
  EXPECT_EQ(e.net->parameter_count(), a->parameter_count() + b->parameter_count());
  EXPECT_EQ(e.info.meta["ensemble"].size(), 2u);
  EXPECT_EQ(e.info.classes, info.classes);
  torch::manual_seed(9);
  torch::Tensor x = torch::randn({4, 1, 48, 48});
  torch::NoGradGuard ng;
  torch::Tensor want = (torch::softmax(a->forward(x), 1) + torch::softmax(b->forward(x), 1)) / 2;
  torch::Tensor got = torch::softmax(e.net->forward(x), 1);
  EXPECT_TRUE(torch::allclose(got, want, 1e-5, 1e-6)) << (got - want).abs().max().item<float>();
  // The two members really differ, so the test can tell a mean from either one.
  EXPECT_FALSE(torch::allclose(torch::softmax(a->forward(x), 1), want, 1e-4, 1e-5));
  // TTA goes through the same forward.
  EXPECT_EQ(predict_probs(e.net, x, true).sizes(), want.sizes());
  // A single path is a single net, as before.
  EXPECT_FALSE(load_models(pa).net->is_ensemble());
}

TEST(ModelFile, EnsembleRefusesMembersThatDoNotFitAndSaysWhich) {
  auto dir = test::temp_dir("model-ensemble-bad");
  std::string pa = save_small((dir / "a.mtm").string());
  ModelInfo other = small_info();
  other.net.num_classes = 3;
  other.classes = {"x", "y", "z"};
  EmotionNet c = make_emotion_net(other.net);
  save_model_file((dir / "c.mtm").string(), c, other);
  auto error_of = [](const std::string& paths) {
    try {
      load_models(paths);
    } catch (const ModelFileError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  std::string msg = error_of(pa + "," + (dir / "c.mtm").string());
  EXPECT_NE(msg.find("c.mtm"), std::string::npos) << msg;
  EXPECT_NE(msg.find("differ"), std::string::npos) << msg;
  EXPECT_NE(error_of(pa + ",").find("empty file name"), std::string::npos);
  EXPECT_NE(error_of(pa + ",/nonexistent/b.mtm").find("not found"), std::string::npos);
  // An ensemble cannot be fine-tuned as a whole.
  LoadedModel e = load_models(pa + "," + pa);
  EXPECT_THROW(e.net->reset_head(3), std::logic_error);
  EXPECT_THROW(e.net->set_backbone_frozen(true), std::logic_error);
}

TEST(ModelFile, ThePrecisionInTheHeaderMustMatchTheFormatVersion) {
  auto dir = test::temp_dir("model-int8");
  const std::string fp = save_small((dir / "f.mtm").string()), qp = (dir / "q.mtm").string();
  LoadedModel f = load_model_file(fp);
  QuantizeResult q = quantize_model(f, torch::zeros({2, 1, 48, 48}));
  save_model_file(qp, q.model.net, q.model.info);
  EXPECT_EQ(read_model_info(qp).precision, "int8");
  // Version 1 (float) claiming int8, version 2 (int8) claiming float: either
  // would feed weights to the wrong loader.
  rewrite_header(fp, [](nlohmann::json& h) { h["precision"] = "int8"; });
  EXPECT_NE(load_error(fp).find("does not match the header's precision"), std::string::npos) << load_error(fp);
  rewrite_header(qp, [](nlohmann::json& h) { h["precision"] = "float32"; });
  EXPECT_NE(load_error(qp).find("does not match the header's precision"), std::string::npos) << load_error(qp);
  rewrite_header(fp, [](nlohmann::json& h) { h["precision"] = "int4"; });
  EXPECT_NE(load_error(fp).find("unknown weight precision"), std::string::npos) << load_error(fp);
  // Int8 weights that lack a tensor.
  save_model_file(qp, q.model.net, q.model.info);
  std::string b = test::slurp(qp);
  const size_t at = b.find("block3_conv2_ws");
  ASSERT_NE(at, std::string::npos);
  b[at] = 'X';  // renamed inside the archive: the CRC is fixed below by a header rewrite
  std::ofstream(qp, std::ios::binary) << b;
  rewrite_header(qp, [](nlohmann::json&) {});
  EXPECT_NE(load_error(qp).find("int8 weights are unusable"), std::string::npos) << load_error(qp);
}
