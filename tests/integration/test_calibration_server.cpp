// Calibration through the server, as the page's "Calibrate" uses it:
// frames checked one by one with what is wrong, a baseline saved only with
// consent, applied to the listener's frames, shown, removed with one
// request (and with "delete my history"), never a frame on disk.
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "music/catalog.h"
#include "server_process.h"
#include "vision/test_frame.h"

namespace moodtune {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;

std::string jpeg(const cv::Mat& img) {
  std::vector<uchar> buf;
  cv::imencode(".jpg", img, buf);
  return std::string(buf.begin(), buf.end());
}

class CalibrationServer : public test::SharedServerSuite<CalibrationServer> {
 protected:
  static void SetUpTestSuite() { start("calibration-server", {}); }
  // POST, in the session of `cookie` (empty: a new one, whose cookie is kept in it).
  static json post(std::string& cookie, const std::string& path, const std::string& body, const std::string& type,
                   int status = 200) {
    httplib::Headers h;
    if (!cookie.empty()) h.emplace("Cookie", cookie);
    auto r = client().Post(path.c_str(), h, body, type.c_str());
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, status) << path << ": " << r->body;
    if (const std::string set = r->get_header_value("Set-Cookie"); !set.empty()) cookie = set.substr(0, set.find(';'));
    return json::parse(r->body);
  }
  static json get(const std::string& path) {
    auto r = client().Get(path.c_str());
    EXPECT_TRUE(r && r->status == 200);
    return r ? json::parse(r->body) : json{};
  }
};

TEST_F(CalibrationServer, CapturedWithChecksSavedWithConsentAppliedAndRemoved) {
  MOODTUNE_REQUIRE_FER();
  EXPECT_EQ(get("/api/calibration")["active"], false);
  const auto neutral = test::fer_files("val", "neutral", 3);
  const cv::Mat relaxed = test::gray_image(neutral[1]);
  const std::string sad = jpeg(compose_frame({test::gray_image(test::fer_files("val", "sad", 1)[0])}, {640, 480}, 9).image);

  // A fresh session's first frame of a sad face, uncalibrated.
  std::string plain_session;
  const json before = post(plain_session, "/api/frames", sad, "image/jpeg");
  EXPECT_EQ(before["calibrated"], false);

  // Each bad frame is refused with what is wrong; nothing is gathered.
  std::string s;
  cv::Mat dark;
  compose_frame({relaxed}, {640, 480}, 5).image.convertTo(dark, -1, 0.05, 0);
  const std::vector<std::pair<std::string, std::string>> bad = {
      {jpeg(cv::Mat(480, 640, CV_8UC3, cv::Scalar(90, 120, 150))), "no face found"},
      {jpeg(compose_frame({relaxed, relaxed}, {640, 480}, 6, 150).image), "2 faces"},
      {jpeg(dark), "too dark"},
      {jpeg(compose_frame({test::gray_image(test::fer_files("val", "happy", 1)[0])}, {640, 480}, 7).image), "looks happy"},
  };
  for (const auto& [frame, says] : bad) {
    const json p = post(s, "/api/calibration/frames?restart=1", frame, "image/jpeg");
    EXPECT_EQ(p["accepted"], 0) << says;
    EXPECT_EQ(p["needed"], 5);
    ASSERT_TRUE(p["problem"].is_string()) << p.dump();
    EXPECT_NE(p["problem"].get<std::string>().find(says), std::string::npos) << p.dump();
  }
  json e = post(s, "/api/calibration", R"({"consent": true})", "application/json", 400);
  EXPECT_NE(e["error"].get<std::string>().find("only 0 of the 5 frames"), std::string::npos) << e.dump();

  auto capture = [&] {
    for (uint32_t i = 0; i < 5; ++i) {
      const std::string frame = jpeg(compose_frame({test::gray_image(neutral[1 + i % 2])}, {640, 480}, 20 + i).image);
      const json p = post(s, i == 0 ? "/api/calibration/frames?restart=1" : "/api/calibration/frames", frame,
                          "image/jpeg");
      EXPECT_TRUE(p["problem"].is_null()) << p.dump();
      EXPECT_EQ(p["accepted"], i + 1) << p.dump();
    }
  };
  // Without consent nothing is kept, and the capture is used up.
  capture();
  e = post(s, "/api/calibration", R"({"consent": false})", "application/json", 400);
  EXPECT_NE(e["error"].get<std::string>().find("consent"), std::string::npos);
  EXPECT_EQ(get("/api/calibration")["active"], false);
  post(s, "/api/calibration", R"({"consent": true})", "application/json", 400);
  // Malformed requests: clear errors, nothing kept.
  post(s, "/api/calibration", "{oops", "application/json", 400);
  post(s, "/api/calibration", R"({"consent": "yes"})", "application/json", 400);
  post(s, "/api/calibration", "consent=true", "application/x-www-form-urlencoded", 415);
  post(s, "/api/calibration/frames", "GIF89a", "image/gif", 415);

  capture();
  const json saved = post(s, "/api/calibration", R"({"consent": true})", "application/json");
  EXPECT_EQ(saved["active"], true);
  EXPECT_EQ(saved["faces"], 5);
  EXPECT_EQ(saved["user"], "you");
  EXPECT_FALSE(saved["created_at"].get<std::string>().empty());
  const json shown = get("/api/calibration");
  EXPECT_EQ(shown["active"], true);
  EXPECT_EQ(shown["probs"].size(), 7u);
  EXPECT_GT(shown["probs"]["neutral"].get<double>(), 0.4) << shown.dump();

  // The listener's frames (any session) are now judged against it: a
  // neutral-leaning resting face makes neutral count for less.
  std::string fresh;
  const json after = post(fresh, "/api/frames", sad, "image/jpeg");
  EXPECT_EQ(after["calibrated"], true);
  EXPECT_LT(after["faces"][0]["probs"]["neutral"].get<double>(), before["faces"][0]["probs"]["neutral"].get<double>());

  // A baseline made with another model (say, before an upgrade) is shown
  // as such, and not applied.
  {
    Catalog cat(*db_);
    const auto stored = cat.listener_baseline("you");
    ASSERT_TRUE(stored);
    EXPECT_TRUE(json::parse(stored->json).contains("probs"));  // statistics only
    cat.set_listener_baseline("you", "fnv1a64:0000000000000000", stored->json);
  }
  const json old = get("/api/calibration");
  EXPECT_EQ(old["other_model"], true);
  EXPECT_EQ(old["active"], false);
  EXPECT_TRUE(old["probs"].empty());

  // One request removes it; frames are plain again; removing twice says so.
  std::string none;
  EXPECT_EQ(post(none, "/api/calibration/delete", "", "application/json")["deleted"], true);
  EXPECT_EQ(get("/api/calibration")["active"], false);
  std::string fresh2;
  EXPECT_EQ(post(fresh2, "/api/frames", sad, "image/jpeg")["calibrated"], false);
  EXPECT_EQ(post(none, "/api/calibration/delete", "", "application/json")["deleted"], false);

  // "Delete my history" removes a calibration too.
  capture();
  post(s, "/api/calibration", R"({"consent": true})", "application/json");
  const json forgot = post(none, "/api/history/delete", "{}", "application/json");
  EXPECT_EQ(forgot["deleted"]["calibration"], 1) << forgot.dump();
  EXPECT_EQ(get("/api/calibration")["active"], false);

  // No frame reached the disk.
  for (const auto& f : fs::recursive_directory_iterator(*dir_)) {
    const std::string ext = f.path().extension().string();
    EXPECT_TRUE(ext != ".jpg" && ext != ".png" && ext != ".jpeg") << f.path();
  }
}

TEST(CalibrationStore, OneBaselinePerListenerReplacedAndForgotten) {
  // The catalog keeps what the service gives it, whichever model made it.
  const auto dir = test::temp_dir("calibration-store");
  Catalog cat((dir / "c.db").string());
  EXPECT_FALSE(cat.listener_baseline("ana"));
  cat.set_listener_baseline("ana", "m1", R"({"faces":1})");
  cat.set_listener_baseline("ana", "m2", R"({"faces":2})");  // replaces
  auto b = cat.listener_baseline("ana");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->model, "m2");
  EXPECT_EQ(b->json, R"({"faces":2})");
  EXPECT_EQ(cat.forget_listener("ana").baselines, 1);
  EXPECT_FALSE(cat.listener_baseline("ana"));
  EXPECT_FALSE(cat.delete_listener_baseline("ana"));
}

}  // namespace
}  // namespace moodtune
