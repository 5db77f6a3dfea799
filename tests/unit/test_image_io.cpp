#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "../test_support.h"
#include "vision/image_io.h"

using namespace moodtune;

namespace {
std::string encode(const cv::Mat& m, const std::string& ext) {
  std::vector<uint8_t> buf;
  cv::imencode(ext, m, buf);
  return {buf.begin(), buf.end()};
}
}  // namespace

TEST(ImageIo, ProbesJpegAndPngSizes) {
  cv::Mat m(37, 53, CV_8UC3, cv::Scalar(1, 2, 3));
  for (const char* ext : {".jpg", ".png", ".bmp"}) {
    ImageSize s = probe_image_size(encode(m, ext));
    EXPECT_TRUE(s.known) << ext;
    EXPECT_EQ(s.width, 53) << ext;
    EXPECT_EQ(s.height, 37) << ext;
  }
  EXPECT_FALSE(probe_image_size("plain text").known);
}

TEST(ImageIo, DecodesAndRefusesWhatItShould) {
  cv::Mat m(20, 30, CV_8UC3, cv::Scalar(9, 9, 9));
  EXPECT_EQ(decode_image(encode(m, ".png")).cols, 30);
  EXPECT_THROW(decode_image(""), ImageError);
  EXPECT_THROW(decode_image("GIF89a not really"), ImageError);
  std::string jpg = encode(m, ".jpg");
  EXPECT_THROW(decode_image(jpg.substr(0, jpg.size() / 3)), ImageError);
  ImageLimits tight;
  tight.max_bytes = 10;
  EXPECT_THROW(decode_image(jpg, tight), ImageError);
}

TEST(ImageIo, HugeDimensionsInAHeaderAreRefusedBeforeDecoding) {
  // A valid PNG signature and IHDR claiming 100000 x 100000 pixels.
  cv::Mat m(2, 2, CV_8UC1, cv::Scalar(0));
  std::string png = encode(m, ".png");
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) png[at + static_cast<size_t>(i)] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
  };
  put32(16, 100000);
  put32(20, 100000);
  try {
    decode_image(png);
    FAIL() << "accepted a 10-gigapixel header";
  } catch (const ImageError& e) {
    EXPECT_NE(std::string(e.what()).find("100000x100000"), std::string::npos) << e.what();
  }
}

TEST(ImageIo, ReadImageNamesTheFile) {
  auto dir = test::temp_dir("imageio");
  std::ofstream(dir / "fake.jpg") << "not a jpeg";
  try {
    read_image((dir / "fake.jpg").string());
    FAIL();
  } catch (const ImageError& e) {
    EXPECT_NE(std::string(e.what()).find("fake.jpg"), std::string::npos);
  }
  EXPECT_THROW(read_image((dir / "missing.png").string()), ImageError);
  EXPECT_THROW(read_image(dir.string()), ImageError);
}

TEST(ImageIo, UntrustedBytesOnlyReachTheJpegPngAndBmpDecoders) {
  namespace fs = std::filesystem;
  auto count_temp = [] {
    int n = 0;
    for (const auto& e : fs::directory_iterator(fs::temp_directory_path()))
      n += e.path().filename().string().rfind("__opencv_temp", 0) == 0;
    return n;
  };
  const int before = count_temp();
  // A TIFF header: OpenCV could decode it, but not from an HTTP body.
  std::string tiff("II*\0\x08\0\0\0", 8);
  tiff += std::string(64, '\0');
  try {
    moodtune::decode_image(tiff);
    FAIL() << "expected ImageError";
  } catch (const moodtune::ImageError& e) {
    EXPECT_NE(std::string(e.what()).find("JPEG, PNG or BMP"), std::string::npos) << e.what();
  }
  EXPECT_THROW(moodtune::decode_image(std::string(200, 'z')), moodtune::ImageError);
  EXPECT_EQ(count_temp(), before);  // nothing was written to a temporary file
}
