// Personal calibration from the outside: `--baseline` on detect and
// evaluate with real faces, and a clear message for every bad baseline
// (no face, several, too dark, not relaxed, not an image, missing).
// The method's choice on CK+: docs/calibration.md.
#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "../test_support.h"
#include "vision/test_frame.h"

namespace moodtune {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;


TEST(Calibration, DetectJudgesTheLargestFaceAgainstTheBaseline) {
  MOODTUNE_REQUIRE_FER();
  auto dir = test::temp_dir("calibration-detect");
  fs::create_directories(dir / "rest");
  const auto neutral = test::fer_files("val", "neutral", 3);
  // Two relaxed photos (the model reads them neutral, 84% and 54%).
  cv::imwrite((dir / "rest" / "a.jpg").string(), compose_frame({test::gray_image(neutral[1])}, {640, 480}, 1).image);
  cv::imwrite((dir / "rest" / "b.png").string(), compose_frame({test::gray_image(neutral[2])}, {640, 480}, 2).image);
  std::ofstream(dir / "rest" / "notes.txt") << "not a photo: skipped";
  const std::string photo = (dir / "sad.jpg").string();
  cv::imwrite(photo, compose_frame({test::gray_image(test::fer_files("val", "sad", 1)[0])}, {640, 480}, 3).image);

  auto plain = test::run_moodtune("detect " + photo + " --json");
  auto calibrated = test::run_moodtune("detect " + photo + " --json --baseline " + (dir / "rest").string());
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_EQ(calibrated.exit_code, 0) << calibrated.err;
  const json p = json::parse(plain.out), c = json::parse(calibrated.out);
  EXPECT_EQ(c["baseline"]["photos"], 2);
  const json& pf = p["images"][0]["faces"][0];
  const json& cf = c["images"][0]["faces"][0];
  EXPECT_FALSE(pf["calibrated"].get<bool>());
  EXPECT_TRUE(cf["calibrated"].get<bool>());
  // Judged against a neutral resting face, neutral loses weight.
  EXPECT_LT(cf["probs"]["neutral"].get<double>(), pf["probs"]["neutral"].get<double>());
  EXPECT_NE(cf["probs"], pf["probs"]);
}

TEST(Calibration, ABadBaselineIsRefusedWithWhatToDo) {
  MOODTUNE_REQUIRE_FER();
  auto dir = test::temp_dir("calibration-bad");
  const cv::Mat relaxed = test::gray_image(test::fer_files("val", "neutral", 2)[1]);
  const std::string photo = (dir / "photo.jpg").string();
  cv::imwrite(photo, compose_frame({relaxed}, {640, 480}, 4).image);
  auto write = [&](const std::string& name, const cv::Mat& img) {
    cv::imwrite((dir / name).string(), img);
    return (dir / name).string();
  };
  cv::Mat dark;
  compose_frame({relaxed}, {640, 480}, 5).image.convertTo(dark, -1, 0.05, 0);
  fs::create_directories(dir / "empty");
  std::ofstream(dir / "broken.jpg") << "not a picture";
  struct Case {
    std::string baseline, says;
  };
  const std::vector<Case> cases = {
      {write("none.jpg", cv::Mat(480, 640, CV_8UC3, cv::Scalar(90, 120, 150))), "no face found"},
      {write("two.jpg", compose_frame({relaxed, relaxed}, {640, 480}, 6, 150).image), "2 faces"},
      {write("dark.jpg", dark), "too dark"},
      {write("smile.jpg", compose_frame({test::gray_image(test::fer_files("val", "happy", 1)[0])}, {640, 480}, 7).image),
       "looks happy"},
      {(dir / "broken.jpg").string(), "not an image"},
      {(dir / "empty").string(), "no photos for a baseline"},
      {(dir / "missing.jpg").string(), "not found"},
  };
  for (const Case& c : cases) {
    auto r = test::run_moodtune("detect " + photo + " --baseline " + c.baseline);
    EXPECT_EQ(r.exit_code, 2) << c.baseline;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.baseline << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << "nothing is detected with a bad baseline: " << r.out;
  }
}

TEST(Calibration, EvaluateReportsCalibratedAndPlainFigures) {
  MOODTUNE_REQUIRE_FER();
  auto dir = test::temp_dir("calibration-evaluate");
  test::copy_fer_faces(dir / "data", {"neutral", "sad", "happy"}, 10);
  // Crops, like the data: the baseline is taken as crops too.
  fs::create_directories(dir / "rest");
  fs::copy_file(test::fer_files("val", "neutral", 2)[1], dir / "rest" / "a.jpg");
  const std::string js = (dir / "e.json").string();
  auto r = test::run_moodtune("evaluate --data " + (dir / "data").string() + " --baseline " + (dir / "rest").string() +
                              " --json " + js);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("calibrated to 1 baseline photo"), std::string::npos) << r.out;
  const json j = json::parse(test::slurp(js));
  EXPECT_EQ(j["calibration"]["photos"], 1);
  EXPECT_EQ(j["calibration"]["method"], "prior");
  EXPECT_EQ(j["n"], 30);
  EXPECT_EQ(j["calibration"]["uncalibrated"]["n"], 30);
  EXPECT_NE(j["per_class"], j["calibration"]["uncalibrated"]["per_class"]);
}

// The CK+ study compares two models on the same real faces, face by face:
// the check on studio faces that guards every adoption of a new default
// (scripts/measure-model.sh). Its figures for each model must be that
// model's own, or the pairing is broken.
TEST(Calibration, TheCkplusStudyComparesTwoModelsFaceByFace) {
  MOODTUNE_REQUIRE_FER();
  const fs::path tar = fs::path(MOODTUNE_SOURCE_DIR) / ".." / "shared" / "data" / "ckplus-dev.tar.gz";
  ASSERT_TRUE(fs::exists(tar)) << tar << " not found: ../shared belongs beside the repository";
  auto dir = test::temp_dir("calibration-ckplus");
  ASSERT_EQ(std::system(("tar xzf '" + tar.string() + "' -C '" + dir.string() + "'").c_str()), 0);
  const std::string other = std::string(MOODTUNE_SOURCE_DIR) + "/models/compact-e30.mtm";
  auto r = test::run_binary(MOODTUNE_DEV_BINARY, "calibration --ckplus " + (dir / "ckplus-dev").string() + " --fer " +
                                                     test::fer_dir() + " --reference-faces 200 --against " + other +
                                                     " --json " + (dir / "ck.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("McNemar p ="), std::string::npos) << r.out;
  const json j = json::parse(test::slurp(dir / "ck.json"));
  EXPECT_EQ(j["against"]["model"], other);
  ASSERT_EQ(j["against"]["methods"].size(), 2u);
  for (const json& c : j["against"]["methods"]) {
    const auto mine = std::find_if(j["methods"].begin(), j["methods"].end(), [&](const json& m) {
      return m["method"] == c["method"] && m["strength"] == c["strength"];
    });
    ASSERT_NE(mine, j["methods"].end()) << c["method"];
    EXPECT_DOUBLE_EQ(c["accuracy"]["b"].get<double>(), (*mine)["accuracy"].get<double>()) << c["method"];
    EXPECT_DOUBLE_EQ(c["balanced_accuracy"]["b"].get<double>(), (*mine)["balanced_accuracy"].get<double>());
    int faces = 0;
    for (const auto& [cls, v] : (*mine)["per_class"].items()) faces += v["faces"].get<int>();
    EXPECT_EQ(c["n"], faces);
    const double a = c["accuracy"]["a"], b = c["accuracy"]["b"];
    EXPECT_NEAR((b - a) * faces, c["only_b_right"].get<double>() - c["only_a_right"].get<double>(), 1e-9);
  }
}

}  // namespace
}  // namespace moodtune
