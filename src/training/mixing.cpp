#include "training/mixing.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace moodtune {

MixMode parse_mix_mode(const std::string& name) {
  if (name == "none") return MixMode::kNone;
  if (name == "mixup") return MixMode::kMixUp;
  if (name == "cutmix") return MixMode::kCutMix;
  throw std::invalid_argument("unknown --mix '" + name + "' (none, mixup, cutmix)");
}

const char* mix_mode_name(MixMode m) {
  switch (m) {
    case MixMode::kMixUp: return "mixup";
    case MixMode::kCutMix: return "cutmix";
    default: return "none";
  }
}

double sample_beta(double a, std::mt19937_64& rng) {
  std::gamma_distribution<double> g(a, 1.0);
  const double u = g(rng), v = g(rng);
  return u + v > 0 ? u / (u + v) : 0.5;
}

MixedBatch mix_batch(const torch::Tensor& x, const torch::Tensor& y, const MixParams& p, std::mt19937_64& rng) {
  MixedBatch mb{x, y, y, 1.0};
  if (p.mode == MixMode::kNone || x.size(0) < 2) return mb;
  if (p.alpha <= 0) throw std::invalid_argument("--mix-alpha must be positive");
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  if (u01(rng) >= p.prob) return mb;

  const int64_t n = x.size(0);
  std::vector<int64_t> perm(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) perm[static_cast<size_t>(i)] = i;
  std::shuffle(perm.begin(), perm.end(), rng);
  const torch::Tensor idx = torch::tensor(perm, torch::kLong);
  const torch::Tensor xb = x.index_select(0, idx);
  mb.y_b = y.index_select(0, idx);
  double lam = sample_beta(p.alpha, rng);

  if (p.mode == MixMode::kMixUp) {
    mb.x = x * lam + xb * (1.0 - lam);
    mb.lam = lam;
    return mb;
  }
  // CutMix: a box of area (1 - lam) of the image, centred anywhere, clipped
  // to the image; lam is recomputed from what was actually pasted.
  const int64_t h = x.size(2), w = x.size(3);
  const double cut = std::sqrt(1.0 - lam);
  const auto ch = static_cast<int64_t>(std::llround(static_cast<double>(h) * cut));
  const auto cw = static_cast<int64_t>(std::llround(static_cast<double>(w) * cut));
  const auto cy = static_cast<int64_t>(u01(rng) * static_cast<double>(h));
  const auto cx = static_cast<int64_t>(u01(rng) * static_cast<double>(w));
  const int64_t y0 = std::clamp<int64_t>(cy - ch / 2, 0, h), y1 = std::clamp<int64_t>(cy + ch / 2, 0, h);
  const int64_t x0 = std::clamp<int64_t>(cx - cw / 2, 0, w), x1 = std::clamp<int64_t>(cx + cw / 2, 0, w);
  mb.x = x.clone();
  using torch::indexing::Slice;
  if (y1 > y0 && x1 > x0)
    mb.x.index_put_({Slice(), Slice(), Slice(y0, y1), Slice(x0, x1)},
                    xb.index({Slice(), Slice(), Slice(y0, y1), Slice(x0, x1)}));
  mb.lam = 1.0 - static_cast<double>((y1 - y0) * (x1 - x0)) / static_cast<double>(h * w);
  return mb;
}

}  // namespace moodtune
