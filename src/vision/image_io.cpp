#include "vision/image_io.h"

#include <algorithm>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <set>
#include <sstream>

#include "common/atomic_file.h"

namespace moodtune {
namespace {
uint32_t be16(const std::string& b, size_t i) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(b[i])) << 8) | static_cast<uint8_t>(b[i + 1]);
}
uint32_t be32(const std::string& b, size_t i) { return (be16(b, i) << 16) | be16(b, i + 2); }
uint32_t le16(const std::string& b, size_t i) {
  return static_cast<uint8_t>(b[i]) | (static_cast<uint32_t>(static_cast<uint8_t>(b[i + 1])) << 8);
}
}  // namespace

ImageSize probe_image_size(const std::string& b) {
  ImageSize s;
  if (b.size() >= 24 && b.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0) {
    s.width = static_cast<int>(be32(b, 16));
    s.height = static_cast<int>(be32(b, 20));
    s.known = true;
  } else if (b.size() >= 4 && static_cast<uint8_t>(b[0]) == 0xFF && static_cast<uint8_t>(b[1]) == 0xD8) {
    size_t i = 2;
    while (i + 9 < b.size()) {
      if (static_cast<uint8_t>(b[i]) != 0xFF) {
        ++i;
        continue;
      }
      uint8_t m = static_cast<uint8_t>(b[i + 1]);
      if (m == 0xFF) {
        ++i;
        continue;
      }
      if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
        i += 2;
        continue;
      }
      // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the size.
      if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
        s.height = static_cast<int>(be16(b, i + 5));
        s.width = static_cast<int>(be16(b, i + 7));
        s.known = true;
        break;
      }
      i += 2 + be16(b, i + 2);
    }
  } else if (b.size() >= 26 && b[0] == 'B' && b[1] == 'M') {
    int32_t w, h;
    std::memcpy(&w, b.data() + 18, 4);
    std::memcpy(&h, b.data() + 22, 4);
    s.width = std::abs(w);
    s.height = std::abs(h);
    s.known = true;
  } else if (b.size() >= 10 && b.compare(0, 3, "GIF") == 0) {
    s.width = static_cast<int>(le16(b, 6));
    s.height = static_cast<int>(le16(b, 8));
    s.known = true;
  }
  return s;
}

cv::Mat decode_image(const std::string& bytes, const ImageLimits& limits) {
  if (bytes.empty()) throw ImageError("empty file, not an image");
  if (bytes.size() > limits.max_bytes)
    throw ImageError("image is " + std::to_string(bytes.size() >> 20) + " MB, over the " +
                     std::to_string(limits.max_bytes >> 20) + " MB limit");
  ImageSize sz = probe_image_size(bytes);
  if (!limits.any_format) {
    const bool jpeg = bytes.size() >= 3 && bytes.compare(0, 3, "\xff\xd8\xff") == 0;
    const bool png = bytes.size() >= 8 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
    const bool bmp = bytes.size() >= 2 && bytes.compare(0, 2, "BM") == 0;
    if (!(jpeg || png || bmp) || !sz.known) throw ImageError("not a JPEG, PNG or BMP image");
  }
  if (sz.known) {
    if (sz.width <= 0 || sz.height <= 0) throw ImageError("image header has zero width or height");
    if (static_cast<int64_t>(sz.width) * sz.height > limits.max_pixels)
      throw ImageError("image is " + std::to_string(sz.width) + "x" + std::to_string(sz.height) +
                       " pixels, over the limit of " + std::to_string(limits.max_pixels / 1'000'000) + " megapixels");
  }
  cv::Mat img;
  try {
    cv::Mat buf(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    img = cv::imdecode(buf, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    throw ImageError(std::string("cannot decode image: ") + e.what());
  }
  if (img.empty())
    throw ImageError(sz.known ? "corrupt or truncated image data"
                              : "not an image in a format OpenCV reads (JPEG, PNG, BMP, WebP, TIFF...)");
  if (static_cast<int64_t>(img.cols) * img.rows > limits.max_pixels)
    throw ImageError("image is " + std::to_string(img.cols) + "x" + std::to_string(img.rows) +
                     " pixels, over the limit");
  return img;
}

void write_image(const std::string& path, const cv::Mat& image) {
  try {
    write_atomically(path, [&](const std::string& tmp) {
      if (!cv::haveImageWriter(tmp)) throw std::runtime_error("no image format has the extension of this name");
      if (!cv::imwrite(tmp, image)) throw std::runtime_error("the image could not be encoded");
    });
  } catch (const std::runtime_error& e) {
    throw ImageError(e.what());
  }
}

cv::Mat read_image(const std::string& path, const ImageLimits& limits) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw ImageError(path + ": no such file");
  if (std::filesystem::is_directory(path, ec)) throw ImageError(path + ": is a folder, not an image");
  auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > limits.max_bytes)
    throw ImageError(path + ": file is " + std::to_string(size >> 20) + " MB, over the " +
                     std::to_string(limits.max_bytes >> 20) + " MB limit");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ImageError(path + ": cannot open (permissions?)");
  std::ostringstream ss;
  ss << in.rdbuf();
  try {
    return decode_image(ss.str(), limits);
  } catch (const ImageError& e) {
    throw ImageError(path + ": " + e.what());
  }
}

bool is_image_file(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  static const std::set<std::string> kExt = {".jpg", ".jpeg", ".png", ".bmp", ".pgm", ".ppm", ".webp", ".tif", ".tiff"};
  return kExt.count(ext) > 0;
}

}  // namespace moodtune
