// small_nets.h — small float nets and face-like inputs for the tests of
// what is derived from a trained net (its int8 copy, its folded oneDNN twin).
#pragma once
#include <torch/torch.h>

#include <string>

#include "vision/emotion_net.h"
#include "vision/model_file.h"

namespace moodtune::test {

// A small float net whose batch norms hold varied statistics, like a trained
// one (fresh ones are identities, which would make folding trivially right).
inline LoadedModel small_float_model(int width = 8, const std::string& arch = "resnet-compact") {
  torch::manual_seed(5);
  LoadedModel m;
  m.info.net.arch = arch;
  m.info.net.width = width;
  m.info.net = resolve_config(m.info.net);
  m.info.classes = {"angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"};
  m.info.norm = {0.5f, 0.25f};
  m.net = make_emotion_net(m.info.net);
  torch::NoGradGuard ng;
  for (auto& kv : m.net->named_buffers()) {
    if (kv.key().find("running_mean") != std::string::npos) kv.value().normal_(0, 0.3);
    if (kv.key().find("running_var") != std::string::npos) kv.value().uniform_(0.5, 2.0);
  }
  for (auto& kv : m.net->named_parameters())
    if (kv.key().find("bn") != std::string::npos && kv.key().find("bias") != std::string::npos)
      kv.value().normal_(0, 0.2);
  m.net->eval();
  return m;
}

// Face-like inputs: smooth random grey images at the 256 levels a camera gives.
inline torch::Tensor faces(int64_t n, int seed) {
  torch::manual_seed(seed);
  torch::Tensor u8 = torch::rand({n, 1, 12, 12}) * 255;
  u8 = torch::upsample_bilinear2d(u8, {48, 48}, false).round().clamp(0, 255);
  return (u8 / 255.0 - 0.5) / 0.25;
}

}  // namespace moodtune::test
