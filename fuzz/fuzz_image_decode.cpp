// libFuzzer target: the frame endpoint's image decoding (header probe with
// size limits, then OpenCV). Anything may fail with ImageError; nothing may
// crash, hang or allocate past the limits.
#include <cstddef>
#include <cstdint>
#include <string>

#include "vision/image_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  moodtune::ImageLimits limits{4u << 20, 4096ll * 4096};
  try {
    cv::Mat m = moodtune::decode_image(std::string(reinterpret_cast<const char*>(data), size), limits);
    if (static_cast<int64_t>(m.cols) * m.rows > limits.max_pixels) __builtin_trap();
  } catch (const moodtune::ImageError&) {
  }
  return 0;
}
