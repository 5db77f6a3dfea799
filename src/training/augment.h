// augment.h — on-the-fly augmentation of uint8 face batches (training only).
//
//   moodtune::AugmentParams ap;            // everything on, FER-sized ranges
//   std::mt19937 rng(seed);
//   moodtune::augment_batch(batch_u8, ap, rng);   // [B,S,S], in place
//
// Geometric (flip, rotation, scale, shift) is one warpAffine per image with
// reflected borders; photometric (brightness, contrast, gamma) makes the
// model robust to lighting; random erasing hides part of the face. Every
// draw comes from `rng`, so a seeded run augments identically. Thread-safe
// for distinct batches and generators.
#pragma once
#include <torch/torch.h>

#include <random>

namespace moodtune {

struct AugmentParams {
  bool enabled = true;
  bool flip = true;
  float rotate_deg = 12.0f;  // uniform in [-r, r]
  float scale = 0.12f;       // zoom in [1-s, 1+s]
  float shift = 0.10f;       // fraction of the side, each axis
  float brightness = 0.25f;  // additive, fraction of 255
  float contrast = 0.30f;    // multiplicative around the mean, [1-c, 1+c]
  float gamma = 0.35f;       // exponent in [1/(1+g), 1+g]
  float erase_prob = 0.35f;  // probability of one random erased rectangle
};

void augment_image(uint8_t* pixels, int size, const AugmentParams& p, std::mt19937& rng);
void augment_batch(torch::Tensor& u8, const AugmentParams& p, std::mt19937& rng);

// Lighting transforms used by the robustness report (deterministic).
enum class Lighting { kDark, kBright, kLowContrast, kGammaHigh, kGammaLow };
const char* lighting_name(Lighting l);
torch::Tensor apply_lighting(const torch::Tensor& u8, Lighting l);

}  // namespace moodtune
