// The emotion pipeline on real faces: hint-guided detection (video) finds
// the same face as a full scan, and falls back to a full scan when the hint
// is wrong.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "../test_support.h"
#include "vision/face_detector.h"
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
    ComposedFrame c =
        compose_frame({cv::imread(files[i].string(), cv::IMREAD_GRAYSCALE)}, {640, 480}, static_cast<uint32_t>(i));
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

// Coarse first (DetectorParams::large_face, coarse_face): wherever the fine
// scan finds the real face, coarse first finds it too; a face below
// coarse_face is left to the fine scan, which then gives exactly its answer.
bool on_face(const std::vector<Detection>& dets, const cv::Rect& truth) {
  for (const Detection& d : dets) {
    const cv::Point c = (d.box.tl() + d.box.br()) / 2;
    if (truth.contains(c) && d.box.width > truth.width / 2 && d.box.width < truth.width * 2) return true;
  }
  return false;
}

TEST(Detector, CoarseFirstFindsWhatTheFineScanFindsOnRealFaces) {
  MOODTUNE_REQUIRE_FER();
  DetectorParams fine_p;
  fine_p.coarse_face = 0;
  auto coarse = make_face_detector();  // the defaults: coarse first
  auto fine = make_face_detector(fine_p);
  DetectorParams no_large_p;
  no_large_p.large_face = 0;
  auto no_large = make_face_detector(no_large_p);
  // Above large_face (240), between it and coarse_face (120), and below both.
  for (int side : {300, 180, 90}) {
    int fine_hits = 0, coarse_hits = 0, fine_false = 0, coarse_false = 0, large_answered = 0;
    for (const std::string& f : test::fer_files("val", "happy", 40)) {
      ComposedFrame c = compose_frame({cv::imread(f, cv::IMREAD_GRAYSCALE)}, {640, 480}, 3, side);
      auto a = fine->detect(c.image), b = coarse->detect(c.image);
      const bool fa = on_face(a, c.boxes[0]), fb = on_face(b, c.boxes[0]);
      fine_hits += fa;
      coarse_hits += fb;
      if (fa) EXPECT_TRUE(fb) << f << " at " << side << " px: the fine scan found it, coarse first did not";
      if (side < 120 && fa) EXPECT_EQ(a[0].box, b[0].box) << f << ": a small face must come from the fine scan";
      if (side == 300 && fb) {
        // The large-face pass (64 px copy) answers with a box as good as the
        // 128 px copy's, however coarse its grid.
        const auto mid = no_large->detect(c.image);
        ASSERT_FALSE(mid.empty()) << f;
        const double iou = static_cast<double>((mid[0].box & b[0].box).area()) / (mid[0].box | b[0].box).area();
        EXPECT_GE(iou, 0.6) << f << ": " << mid[0].box << " against " << b[0].box;
        large_answered += mid[0].box != b[0].box;
      }
      // No false faces beyond the fine scan's: every detection off the face counts.
      for (const auto& d : a) fine_false += !on_face({d}, c.boxes[0]);
      for (const auto& d : b) coarse_false += !on_face({d}, c.boxes[0]);
    }
    EXPECT_GE(fine_hits, 5) << "too few faces found at " << side << " px to compare";
    // Measured: 14 of 31 blurry, upscaled 300 px faces answered by the
    // large-face pass (a box other than the 128 px copy's); the rest fell
    // through to that copy.
    if (side == 300) EXPECT_GE(large_answered, coarse_hits / 3) << "the large-face pass found too few 300 px faces";
    EXPECT_GE(coarse_hits, fine_hits);
    EXPECT_LE(coarse_false, fine_false + 1) << side << " px: fine " << fine_false << ", coarse first " << coarse_false;
    std::printf("%d px faces: found %d (fine) / %d (coarse first, %d by the large-face pass); false boxes %d / %d\n",
                side, fine_hits, coarse_hits, large_answered,
                fine_false, coarse_false);
  }
}

TEST(Detector, OverlappingHitsAreOneFaceTheStrongestKept) {
  // A cascade's false hit at another scale straddling the real face (as
  // Chromium's rendering of a demo frame gave): the real face, with more
  // neighbours, stays; two faces side by side both stay.
  std::vector<Detection> d = {{cv::Rect(155, 210, 265, 265), 6}, {cv::Rect(250, 165, 145, 145), 23},
                              {cv::Rect(500, 100, 100, 100), 8}, {cv::Rect(30, 30, 100, 100), 9}};
  suppress_overlaps(d);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].box, cv::Rect(250, 165, 145, 145));
  for (const Detection& k : d) EXPECT_NE(k.box, cv::Rect(155, 210, 265, 265));
  std::vector<Detection> apart = {{cv::Rect(0, 0, 100, 100), 5}, {cv::Rect(60, 0, 100, 100), 4}};
  suppress_overlaps(apart);  // 40% of each other: two people close together
  EXPECT_EQ(apart.size(), 2u);
}

}  // namespace
}  // namespace moodtune
