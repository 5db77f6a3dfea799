#include <gtest/gtest.h>

#include <cmath>
#include <opencv2/imgproc.hpp>

#include "vision/net_input.h"
#include "vision/preprocess.h"

using namespace moodtune;

TEST(Preprocess, NormaliseGivesExactValues) {
  cv::Mat face(4, 4, CV_8UC1);
  for (int i = 0; i < 16; ++i) face.data[i] = static_cast<uint8_t>(i * 17);  // 0..255
  Normalisation n{0.5f, 0.25f};
  torch::Tensor x = to_input({face}, n);
  ASSERT_EQ(x.sizes(), (std::vector<int64_t>{1, 1, 4, 4}));
  for (int i = 0; i < 16; ++i) {
    float want = (static_cast<float>(i * 17) / 255.0f - 0.5f) / 0.25f;
    EXPECT_FLOAT_EQ(x.flatten()[i].item<float>(), want) << i;
  }
  EXPECT_FLOAT_EQ(x.flatten()[0].item<float>(), -2.0f);
  EXPECT_FLOAT_EQ(x.flatten()[15].item<float>(), 2.0f);
}

TEST(Preprocess, CropWithoutMarginIsTheBoxResized) {
  // A 20x20 gray image with a distinct 8x8 square at (4,4): cropping exactly
  // that box at input size 8 returns the square's pixels unchanged.
  cv::Mat img(20, 20, CV_8UC1, cv::Scalar(10));
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) img.at<uint8_t>(4 + y, 4 + x) = static_cast<uint8_t>(100 + y * 8 + x);
  PreprocessParams pp;
  pp.input_size = 8;
  pp.margin = 0.0f;
  cv::Mat crop = crop_face(img, cv::Rect(4, 4, 8, 8), pp);
  ASSERT_EQ(crop.type(), CV_8UC1);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) EXPECT_EQ(crop.at<uint8_t>(y, x), 100 + y * 8 + x);
}

TEST(Preprocess, ColourIsConvertedToGrayWithBt601Weights) {
  cv::Mat bgr(8, 8, CV_8UC3, cv::Scalar(255, 0, 0));  // pure blue
  PreprocessParams pp;
  pp.input_size = 8;
  pp.margin = 0.0f;
  cv::Mat crop = crop_face(bgr, cv::Rect(0, 0, 8, 8), pp);
  EXPECT_EQ(crop.at<uint8_t>(0, 0), 29);  // 0.114 * 255
}

TEST(Preprocess, MarginOutsideTheImageReplicatesEdgesAndKeepsTheFaceCentred) {
  cv::Mat img(10, 10, CV_8UC1, cv::Scalar(50));
  img(cv::Rect(0, 0, 10, 10)).setTo(200);
  PreprocessParams pp;
  pp.input_size = 10;
  pp.margin = 0.5f;  // box 10 -> 20 wide, half of it outside
  cv::Mat crop = crop_face(img, cv::Rect(0, 0, 10, 10), pp);
  EXPECT_EQ(crop.rows, 10);
  EXPECT_EQ(crop.at<uint8_t>(0, 0), 200);  // replicated, not black
}

TEST(Preprocess, BadInputsThrow) {
  PreprocessParams pp;
  EXPECT_THROW(crop_face(cv::Mat(), cv::Rect(0, 0, 4, 4), pp), std::invalid_argument);
  cv::Mat img(10, 10, CV_8UC1, cv::Scalar(0));
  EXPECT_THROW(crop_face(img, cv::Rect(50, 50, 4, 4), pp), std::invalid_argument);
  EXPECT_THROW(to_input({}, {}), std::invalid_argument);
}

TEST(Preprocess, DownscaleReportsTheFactorBack) {
  cv::Mat img(480, 640, CV_8UC3, cv::Scalar(1, 2, 3));
  double f = 0;
  cv::Mat small = downscale_gray(img, 320, f);
  EXPECT_EQ(small.cols, 320);
  EXPECT_EQ(small.rows, 240);
  EXPECT_DOUBLE_EQ(f, 2.0);
  cv::Mat same = downscale_gray(small, 0, f);
  EXPECT_EQ(same.cols, 320);
  EXPECT_DOUBLE_EQ(f, 1.0);
}

// A levelled crop: two dark dots on a tilted line (the right one lower, so
// a positive roll) end up on one row of the crop; roll 0 is the plain crop.
TEST(Preprocess, ALevelledCropPutsATiltedEyeLineOnOneRow) {
  cv::Mat img(200, 200, CV_8UC1, cv::Scalar(200));
  const cv::Point2f left(70, 90), right(130, 110);
  cv::circle(img, left, 5, cv::Scalar(0), cv::FILLED);
  cv::circle(img, right, 5, cv::Scalar(0), cv::FILLED);
  const cv::Rect box(50, 50, 100, 100);
  PreprocessParams pp;
  pp.input_size = 96;
  pp.margin = 0;
  const double roll = std::atan2(right.y - left.y, right.x - left.x) * 180 / CV_PI;
  EXPECT_TRUE(cv::norm(crop_face(img, box, pp, 0.0), crop_face(img, box, pp), cv::NORM_INF) == 0);
  auto dark_row = [](const cv::Mat& crop, bool left_half) {  // mean row of the dark pixels in one half
    double sum = 0, n = 0;
    for (int y = 0; y < crop.rows; ++y)
      for (int x = left_half ? 0 : crop.cols / 2; x < (left_half ? crop.cols / 2 : crop.cols); ++x)
        if (crop.at<uchar>(y, x) < 100) sum += y, n += 1;
    return n > 0 ? sum / n : -1.0;
  };
  const cv::Mat tilted = crop_face(img, box, pp), level = crop_face(img, box, pp, roll);
  EXPECT_GT(dark_row(tilted, false) - dark_row(tilted, true), 8);  // ~11.5 rows apart before
  EXPECT_NEAR(dark_row(level, false), dark_row(level, true), 1.0);
  // Turned about the box's centre: the dots' midpoint stays where it was.
  EXPECT_NEAR((dark_row(level, false) + dark_row(level, true)) / 2, 48 - 0.5, 1.5);
  // No black corners: the rotation fills them from the image around the crop.
  double lo;
  cv::minMaxLoc(level(cv::Rect(0, 0, 8, 8)), &lo);
  EXPECT_GT(lo, 150);
}
