#include "vision/net_input.h"

#include <cstring>
#include <stdexcept>

namespace moodtune {

torch::Tensor normalise_u8(const torch::Tensor& u8, const Normalisation& norm) {
  torch::Tensor x = u8.dim() == 3 ? u8.unsqueeze(1) : u8;
  return (x.to(torch::kFloat32).div(255.0f) - norm.mean).div(norm.std);
}

torch::Tensor to_input(const std::vector<cv::Mat>& faces, const Normalisation& norm) {
  if (faces.empty()) throw std::invalid_argument("to_input: no faces");
  const int s = faces[0].rows;
  torch::Tensor u8 = torch::empty({static_cast<int64_t>(faces.size()), 1, s, s}, torch::kUInt8);
  uint8_t* dst = u8.data_ptr<uint8_t>();
  for (const cv::Mat& f : faces) {
    if (f.type() != CV_8UC1 || f.rows != s || f.cols != s)
      throw std::invalid_argument("to_input: faces must be gray and all the same size");
    for (int r = 0; r < s; ++r, dst += s) std::memcpy(dst, f.ptr<uint8_t>(r), static_cast<size_t>(s));
  }
  return normalise_u8(u8, norm);
}

}  // namespace moodtune
