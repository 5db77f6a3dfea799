// Explanations (Grad-CAM): `moodtune explain` on real faces, the maps'
// faithfulness by deletion, and POST /api/explain on the real server.
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "kit/explain_deletion.h"
#include "server_process.h"
#include "vision/explain.h"
#include "vision/test_frame.h"

namespace moodtune {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;

std::string model_path() { return std::string(MOODTUNE_SOURCE_DIR) + "/models/default.mtm"; }


TEST(Explain, TheCliWritesAHeatMapPerFaceAndSaysWhatFailed) {
  MOODTUNE_REQUIRE_FER();
  auto dir = test::temp_dir("explain-cli");
  const auto happy = test::fer_files("val", "happy", 2), sad = test::fer_files("val", "sad", 1);
  const std::string two = (dir / "two.jpg").string(), crop = happy[0];
  cv::imwrite(two, compose_frame({test::gray_image(happy[1]), test::gray_image(sad[0])}, {640, 480}, 2, 150).image);
  cv::imwrite((dir / "empty.jpg").string(), cv::Mat(480, 640, CV_8UC3, cv::Scalar(90, 120, 150)));
  std::ofstream(dir / "broken.jpg") << "not a picture";

  auto r = test::run_moodtune("explain " + two + " --out " + (dir / "out").string() + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  const json& faces = j["images"][0]["faces"];
  ASSERT_EQ(faces.size(), 2u) << r.out;
  std::set<std::string> named;
  for (const auto& f : faces) {
    named.insert(f["class"].get<std::string>());
    EXPECT_EQ(f["class"], f["predicted"]);
    EXPECT_GT(f["probability"].get<double>(), 0.3);
    const cv::Mat png = cv::imread(f["heat_map"].get<std::string>());
    ASSERT_FALSE(png.empty()) << f.dump();
    EXPECT_EQ(png.cols, 640);
    // The heat is drawn inside the face: the pixels there changed, the
    // corner did not.
    const cv::Mat photo = cv::imread(two);
    cv::Rect box(f["box"]["x"], f["box"]["y"], f["box"]["w"], f["box"]["h"]);
    EXPECT_GT(cv::norm(png(box), photo(box), cv::NORM_L1) / box.area(), 10.0);
    EXPECT_LT(cv::norm(png(cv::Rect(0, 0, 20, 20)), photo(cv::Rect(0, 0, 20, 20)), cv::NORM_L1) / 400.0, 4.0);
  }
  EXPECT_EQ(named, (std::set<std::string>{"happy", "sad"}));

  // A class of one's choosing; a crop as a whole face; an ensemble.
  r = test::run_moodtune("explain " + two + " --out " + (dir / "out").string() + " --json --class surprise");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = json::parse(r.out);  // kept alive for the loop (a temporary's member would not be)
  for (const auto& f : j["images"][0]["faces"]) EXPECT_EQ(f["class"], "surprise");
  r = test::run_moodtune("explain " + crop + " --whole-image --out " + (dir / "out").string() + " --json --model " +
                         model_path() + "," + model_path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = json::parse(r.out)["images"][0]["faces"];
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["box"]["w"], 48);
  EXPECT_EQ(j[0]["class"], "happy");

  // Bad input: a clear message and a non-zero exit; the good image still done.
  r = test::run_moodtune("explain " + two + " --class bored --out " + (dir / "out").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown class 'bored'"), std::string::npos) << r.err;
  r = test::run_moodtune("explain " + (dir / "broken.jpg").string() + " " + (dir / "empty.jpg").string() + " " + two +
                         " --out " + (dir / "out2").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no face found"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2 of 3 images failed"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(dir / "out2" / "two-face1.png"));
}

// Faithfulness: deleting the most salient fifth of a face must cost the
// explained class more than deleting a random fifth (docs/explain.md has
// the figures on 700 faces).
TEST(Explain, SalientPixelsMatterMoreThanRandomOnes) {
  MOODTUNE_REQUIRE_FER();
  auto clf = EmotionClassifier::load(model_path());
  const auto faces = kit::validation_faces(test::fer_dir(), 15, 48, clf->classes());
  ASSERT_EQ(faces.size(), 105u);
  const kit::DeletionReport r = kit::deletion_test(*clf, faces, {});
  // Measured on this sample with the shipped model and the default 6x6
  // maps: 0.277 vs 0.211, salient worse in 67% of faces (its 3x3 maps fail:
  // 0.177 vs 0.211, 48%); maps no better than chance would give a ratio
  // near 1 and about 50%.
  EXPECT_GT(r.salient_drop, 1.2 * r.random_drop) << r.salient_drop << " vs " << r.random_drop;
  EXPECT_GT(r.salient_wins, 0.55);
}

class ExplainServer : public test::SharedServerSuite<ExplainServer> {
 protected:
  static void SetUpTestSuite() { start("explain-server", {}); }
};

TEST_F(ExplainServer, AFrameGetsAHeatMapPerFaceOnRequest) {
  MOODTUNE_REQUIRE_FER();
  auto c = client();
  auto r = c.Post("/api/explain", test::face_jpeg("happy"), "image/jpeg");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json j = json::parse(r->body);
  ASSERT_EQ(j["faces"].size(), 1u);
  const json& f = j["faces"][0];
  EXPECT_EQ(f["class"], "happy");
  ASSERT_EQ(f["heat"].size(), 48u);
  int hi = 0, lo = 100;
  for (const auto& row : f["heat"]) {
    ASSERT_EQ(row.size(), 48u);
    for (int v : row) hi = std::max(hi, v), lo = std::min(lo, v);
  }
  EXPECT_EQ(hi, 100);  // normalised, positive or (weak evidence) relative
  EXPECT_LT(lo, 50);
  EXPECT_TRUE(f["weak_evidence"].is_boolean());
  EXPECT_GT(f["region"]["w"].get<int>(), f["box"]["w"].get<int>());

  r = c.Post("/api/explain?class=sad", test::face_jpeg("happy"), "image/jpeg");
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["faces"][0]["class"], "sad");
  r = c.Post("/api/explain?class=bored", test::face_jpeg("happy"), "image/jpeg");
  EXPECT_EQ(r->status, 400);
  r = c.Post("/api/explain", "hello", "text/plain");
  EXPECT_EQ(r->status, 415);
  r = c.Post("/api/explain", std::string(3000, 'x'), "image/jpeg");
  EXPECT_EQ(r->status, 400);
  // Explaining is not observing: the session's mood is untouched.
  r = c.Get("/api/mood");
  EXPECT_EQ(json::parse(r->body)["mood"]["source"], "none");
}

}  // namespace
}  // namespace moodtune
