// Face quality on real faces: `detect` and the server say when a face is
// too dark, flat or blurred to trust (thresholds: docs/quality.md).
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "server_process.h"
#include "vision/test_frame.h"

namespace moodtune {
namespace {
using json = nlohmann::json;

class QualityServer : public test::SharedServerSuite<QualityServer> {
 protected:
  static void SetUpTestSuite() { start("quality-server", {}); }
};

TEST_F(QualityServer, ADarkFaceIsFlaggedByDetectAndTheServerAndALitOneIsNot) {
  MOODTUNE_REQUIRE_FER();
  auto dir = test::temp_dir("quality");
  const cv::Mat face = cv::imread(test::fer_files("val", "happy", 2)[1], cv::IMREAD_GRAYSCALE);
  const cv::Mat lit = compose_frame({face}, {640, 480}, 3).image;
  cv::Mat dark;
  lit.convertTo(dark, -1, 0.07, 0);  // a room with the light off
  cv::imwrite((dir / "lit.png").string(), lit);
  cv::imwrite((dir / "dark.png").string(), dark);

  auto r = test::run_moodtune("detect --json " + (dir / "lit.png").string() + " " + (dir / "dark.png").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  ASSERT_EQ(j["images"][0]["faces"].size(), 1u) << r.out;
  EXPECT_EQ(j["images"][0]["faces"][0]["quality"]["ok"], true);
  if (j["images"][1]["faces"].empty()) GTEST_SKIP() << "the detector found no face in the dark frame";
  const json& q = j["images"][1]["faces"][0]["quality"];
  EXPECT_EQ(q["ok"], false) << q.dump();
  EXPECT_EQ(q["issues"][0], "too dark");
  EXPECT_LT(q["brightness"].get<double>(), 20.0);

  std::vector<uchar> png;
  cv::imencode(".png", dark, png);
  auto res = client().Post("/api/frames", std::string(png.begin(), png.end()), "image/png");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  j = json::parse(res->body);
  ASSERT_EQ(j["faces"].size(), 1u);
  EXPECT_EQ(j["faces"][0]["quality"]["hint"], "too dark — turn on a light");
}

}  // namespace
}  // namespace moodtune
