// The emotion pipeline on real faces: hint-guided detection (video) finds
// the same face as a full scan, and falls back to a full scan when the hint
// is wrong.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "../test_support.h"
#include "vision/pipeline.h"
#include "vision/test_frame.h"

namespace moodtune {
namespace {
namespace fs = std::filesystem;

TEST(Pipeline, HintsFindTheFaceAndAWrongHintFallsBackToAFullScan) {
  MOODTUNE_REQUIRE_FER();
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(test::fer_dir()) / "val" / "happy")) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  auto clf = EmotionClassifier::load(test::model_path());
  EmotionPipeline pipe(clf);
  int checked = 0;
  for (size_t i = 0; i < files.size() && checked < 5; ++i) {
    ComposedFrame c = compose_frame({cv::imread(files[i].string(), cv::IMREAD_GRAYSCALE)}, {640, 480}, static_cast<uint32_t>(i));
    FrameResult full = pipe.process(c.image);
    if (full.faces.size() != 1) continue;  // some FER faces are too hard for any detector
    ++checked;
    EXPECT_TRUE(full.times.full_scan);
    const cv::Rect box = full.faces[0].box;

    // The face moved 10 px: the hint (last frame's box) still finds it.
    cv::Mat moved, shift = (cv::Mat_<double>(2, 3) << 1, 0, 10, 0, 1, 4);
    cv::warpAffine(c.image, moved, shift, c.image.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    FrameResult hinted = pipe.process(moved, {box});
    ASSERT_EQ(hinted.faces.size(), 1u) << files[i];
    EXPECT_FALSE(hinted.times.full_scan);
    const cv::Rect& hb = hinted.faces[0].box;
    EXPECT_GT((hb & (box + cv::Point(10, 4))).area(), 0.5 * box.area()) << hb << " vs " << box;
    EXPECT_EQ(hinted.faces[0].emotion, full.faces[0].emotion);

    // A hint where there is no face: full scan, same face found.
    FrameResult wrong = pipe.process(c.image, {cv::Rect(0, 0, 60, 60)});
    EXPECT_TRUE(wrong.times.full_scan);
    ASSERT_EQ(wrong.faces.size(), 1u);
    EXPECT_EQ(wrong.faces[0].box, box);
  }
  EXPECT_EQ(checked, 5);
}

}  // namespace
}  // namespace moodtune
