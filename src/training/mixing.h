// mixing.h — MixUp and CutMix for training batches: two faces blended, or a
// patch of one pasted into another, with the labels weighted alike.
//
//   moodtune::MixParams mp;  mp.mode = moodtune::MixMode::kCutMix;
//   std::mt19937_64 rng(seed);
//   moodtune::MixedBatch mb = moodtune::mix_batch(x, y, mp, rng);   // x [B,1,S,S] float
//   loss = mb.lam * ce(net(mb.x), mb.y_a) + (1 - mb.lam) * ce(net(mb.x), mb.y_b);
//
// Zhang et al. 2018 (mixup), Yun et al. 2019 (CutMix); docs/training.md has
// what each measured on FER2013. The partner of image i is image perm[i] of
// the same batch, so no second batch is loaded. Every draw comes from `rng`,
// so a seeded run mixes identically after a resume. Thread-safe for distinct
// generators.
#pragma once
#include <torch/torch.h>

#include <random>
#include <string>

namespace moodtune {

enum class MixMode { kNone, kMixUp, kCutMix };

struct MixParams {
  MixMode mode = MixMode::kNone;
  double alpha = 1.0;  // lam ~ Beta(alpha, alpha)
  double prob = 0.5;   // share of batches that are mixed; the rest train plain
};

// "none" | "mixup" | "cutmix"; throws std::invalid_argument naming the choices.
MixMode parse_mix_mode(const std::string& name);
const char* mix_mode_name(MixMode m);

// What a mixed batch trains on. lam is the weight of y_a (1 = not mixed);
// for CutMix it is the share of pixels that stayed, after clipping the box.
struct MixedBatch {
  torch::Tensor x, y_a, y_b;
  double lam = 1.0;
};

// x: [B,C,H,W] float, y: [B] long. Returns x unchanged (lam 1) when this
// batch is not drawn for mixing or the mode is kNone.
MixedBatch mix_batch(const torch::Tensor& x, const torch::Tensor& y, const MixParams& p, std::mt19937_64& rng);

// Beta(a, a) from two gamma draws.
double sample_beta(double a, std::mt19937_64& rng);

}  // namespace moodtune
