#include "training/augment.h"

#include <cmath>
#include <opencv2/imgproc.hpp>

namespace moodtune {

void augment_image(uint8_t* px, int s, const AugmentParams& p, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::uniform_real_distribution<float> u01(0.0f, 1.0f);
  cv::Mat img(s, s, CV_8UC1, px);
  // Draw every random number in a fixed order whether or not a transform is
  // switched on, so switching one off does not reshuffle the others.
  bool flip = p.flip && u01(rng) < 0.5f;
  float angle = p.rotate_deg * u(rng);
  float zoom = 1.0f + p.scale * u(rng);
  float dx = p.shift * static_cast<float>(s) * u(rng);
  float dy = p.shift * static_cast<float>(s) * u(rng);
  float bright = p.brightness * 255.0f * u(rng);
  float contrast = 1.0f + p.contrast * u(rng);
  float g = u(rng);
  float gamma = g >= 0 ? 1.0f + p.gamma * g : 1.0f / (1.0f - p.gamma * g);
  bool erase = u01(rng) < p.erase_prob;
  float ew = u01(rng), eh = u01(rng), ex = u01(rng), ey = u01(rng);

  if (flip) cv::flip(img, img, 1);
  if (angle != 0.0f || zoom != 1.0f || dx != 0.0f || dy != 0.0f) {
    cv::Point2f c(static_cast<float>(s) * 0.5f - 0.5f, static_cast<float>(s) * 0.5f - 0.5f);
    cv::Mat m = cv::getRotationMatrix2D(c, angle, zoom);
    m.at<double>(0, 2) += dx;
    m.at<double>(1, 2) += dy;
    cv::Mat out;
    cv::warpAffine(img, out, m, img.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT_101);
    out.copyTo(img);
  }
  if (bright != 0.0f || contrast != 1.0f || gamma != 1.0f) {
    double mean = cv::mean(img)[0];
    uint8_t lut[256];
    for (int v = 0; v < 256; ++v) {
      float x = static_cast<float>(mean) + (static_cast<float>(v) - static_cast<float>(mean)) * contrast + bright;
      x = std::clamp(x, 0.0f, 255.0f) / 255.0f;
      x = std::pow(x, gamma) * 255.0f;
      lut[v] = static_cast<uint8_t>(std::clamp(x + 0.5f, 0.0f, 255.0f));
    }
    for (int i = 0; i < s * s; ++i) px[i] = lut[px[i]];
  }
  if (erase) {
    int w = std::max(4, static_cast<int>((0.15f + 0.25f * ew) * static_cast<float>(s)));
    int h = std::max(4, static_cast<int>((0.15f + 0.25f * eh) * static_cast<float>(s)));
    int x0 = static_cast<int>(ex * static_cast<float>(s - w));
    int y0 = static_cast<int>(ey * static_cast<float>(s - h));
    std::uniform_int_distribution<int> noise(0, 255);
    for (int y = y0; y < y0 + h; ++y)
      for (int x = x0; x < x0 + w; ++x) px[y * s + x] = static_cast<uint8_t>(noise(rng));
  }
}

void augment_batch(torch::Tensor& u8, const AugmentParams& p, std::mt19937& rng) {
  if (!p.enabled) return;
  TORCH_CHECK(u8.dtype() == torch::kUInt8 && u8.dim() == 3 && u8.is_contiguous(),
              "augment_batch wants contiguous uint8 [B,S,S]");
  const int s = static_cast<int>(u8.size(1));
  uint8_t* base = u8.data_ptr<uint8_t>();
  for (int64_t i = 0; i < u8.size(0); ++i) augment_image(base + i * s * s, s, p, rng);
}

const char* lighting_name(Lighting l) {
  switch (l) {
    case Lighting::kDark: return "dark (x0.4)";
    case Lighting::kBright: return "bright (+80)";
    case Lighting::kLowContrast: return "low contrast (x0.4 around mean)";
    case Lighting::kGammaHigh: return "gamma 2.2 (shadows crushed)";
    case Lighting::kGammaLow: return "gamma 0.45 (washed out)";
  }
  return "?";
}

torch::Tensor apply_lighting(const torch::Tensor& u8, Lighting l) {
  torch::Tensor x = u8.to(torch::kFloat32);
  switch (l) {
    case Lighting::kDark: x = x * 0.4; break;
    case Lighting::kBright: x = x + 80.0; break;
    case Lighting::kLowContrast: {
      torch::Tensor m = x.mean({-2, -1}, true);
      x = m + (x - m) * 0.4;
      break;
    }
    case Lighting::kGammaHigh: x = (x / 255.0).clamp(0, 1).pow(2.2) * 255.0; break;
    case Lighting::kGammaLow: x = (x / 255.0).clamp(0, 1).pow(0.45) * 255.0; break;
  }
  return x.round().clamp(0, 255).to(torch::kUInt8);
}

}  // namespace moodtune
