// image_io.h — decoding untrusted images with limits and clear errors.
//
//   cv::Mat img = moodtune::read_image("photo.jpg");        // throws ImageError
//   cv::Mat frame = moodtune::decode_image(bytes, limits);  // e.g. an HTTP body
//   moodtune::write_image("out/photo.jpg", img);            // format by extension
//
// The header is probed for the pixel size before decoding, so a small file
// that claims to be 60000x60000 is refused without allocating gigabytes.
// Thread-safe.
#pragma once
#include <cstdint>
#include <opencv2/core.hpp>
#include <stdexcept>
#include <string>

namespace moodtune {

struct ImageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ImageLimits {
  size_t max_bytes = 64u << 20;     // encoded size
  int64_t max_pixels = 40'000'000;  // width x height
  // false: only JPEG, PNG and BMP (recognised from their header) reach the
  // decoder. Untrusted bytes (HTTP bodies) must use false: OpenCV hands some
  // other formats to decoders that read from a temporary file (GDAL writes
  // the bytes to /tmp), and each extra decoder is attack surface.
  bool any_format = false;
};

struct ImageSize {
  int width = 0, height = 0;
  bool known = false;
};

// Width and height from a JPEG, PNG, BMP or GIF header; known=false when the
// format is not one of these (OpenCV may still decode it).
ImageSize probe_image_size(const std::string& bytes);
inline ImageLimits any_format_limits() {
  ImageLimits l;
  l.any_format = true;
  return l;
}

cv::Mat decode_image(const std::string& bytes, const ImageLimits& limits = {});  // BGR, 8-bit
// Files the user names may be in any format OpenCV reads (TIFF, WebP, ...).
// Whether `path` names an image by its extension (jpg, png, bmp, pgm, ppm,
// webp, tif; any case): for picking images out of a folder before reading.
bool is_image_file(const std::string& path);

// Encodes `image` in the format the extension names and writes it whole or
// not at all (common/atomic_file.h). Throws ImageError.
void write_image(const std::string& path, const cv::Mat& image);

cv::Mat read_image(const std::string& path,
                   const ImageLimits& limits = {any_format_limits()});  // messages start with the path

}  // namespace moodtune
