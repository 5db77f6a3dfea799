// The real `moodtune serve` over HTTP: frames, sessions, recommendations,
// feedback, audio ranges, limits, bad input, static files, metrics,
// shutdown, and the server-side source mode.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "kit/sample_music.h"
#include "music/catalog.h"
#include "server_process.h"
#include "vision/test_frame.h"

namespace moodtune {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;


using test::face_jpeg;

class Server : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(test::temp_dir("server"));
    fs::create_directories(*dir_ / "music");
    for (const char* f : {"sad.ogg", "victory.ogg", "traveling_minstrels.ogg", "transience.ogg"})
      fs::copy_file(fs::path(kit::kWesnothMusic) / f, *dir_ / "music" / f);
    db_ = new std::string((*dir_ / "server.db").string());
    auto r = test::run_moodtune("library scan " + (*dir_ / "music").string() + " --db " + *db_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::ofstream(*dir_ / "spotify.csv")
        << "track_id,track_name,track_artist,track_popularity,track_album_name,playlist_genre,valence,energy\n"
           "4uLU6hMCjMI75M1A2tKUQC,Happy Song,Someone,50,Album,pop,0.9,0.7\n";
    r = test::run_moodtune("catalog import " + (*dir_ / "spotify.csv").string() + " --db " + *db_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    server_ = new test::ServerProcess(*dir_, {"--db", *db_});
    ASSERT_TRUE(server_->running()) << server_->stderr_text();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete db_;
    delete dir_;
  }
  void SetUp() override { ASSERT_TRUE(server_ && server_->running()); }

  static httplib::Client client() {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(30);
    return c;
  }
  static std::string session_cookie(const httplib::Result& r) {
    std::string c = r->get_header_value("Set-Cookie");
    return c.substr(0, c.find(';'));
  }

  static fs::path* dir_;
  static std::string* db_;
  static test::ServerProcess* server_;
};
fs::path* Server::dir_ = nullptr;
std::string* Server::db_ = nullptr;
test::ServerProcess* Server::server_ = nullptr;

TEST_F(Server, FramesGiveFacesAndASmoothedMoodPerSession) {
  MOODTUNE_REQUIRE_FER();
  auto c = client();
  std::string happy = face_jpeg("happy");
  auto r = c.Post("/api/frames", happy, "image/jpeg");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "");
  std::string cookie = session_cookie(r);
  ASSERT_NE(cookie.find("mt_session="), std::string::npos);
  json j = json::parse(r->body);
  ASSERT_EQ(j["faces"].size(), 1u) << j.dump();
  const json& face = j["faces"][0];
  EXPECT_GT(face["box"]["w"].get<int>(), 100);
  EXPECT_EQ(face["probs"].size(), 7u);
  EXPECT_EQ(face["emotion"], "happy");
  EXPECT_EQ(j["mood"]["emotion"], "happy");
  EXPECT_EQ(j["mood"]["source"], "camera");

  // The same session keeps its mood; a sad frame moves it only gradually.
  httplib::Headers with_cookie = {{"Cookie", cookie}};
  r = c.Post("/api/frames", with_cookie, face_jpeg("sad"), "image/jpeg");
  ASSERT_EQ(r->status, 200);
  j = json::parse(r->body);
  double raw_happy = j["faces"][0]["raw"]["probs"]["happy"], mood_happy = j["mood"]["probs"]["happy"];
  EXPECT_LT(raw_happy, 0.2);
  EXPECT_GT(mood_happy, raw_happy + 0.2);  // smoothed, not the last frame alone

  // Another tab (no cookie) has its own, empty mood.
  r = c.Get("/api/mood");
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["mood"]["source"], "none");
  r = c.Get("/api/mood", with_cookie);
  EXPECT_EQ(json::parse(r->body)["history"].size(), 2u);
  // The page's way: a per-tab id in a header; "new" never reuses the cookie's session.
  r = c.Get("/api/mood", {{"Cookie", cookie}, {"X-Moodtune-Session", "new"}});
  std::string tab = r->get_header_value("X-Moodtune-Session");
  EXPECT_EQ(tab.size(), 32u);
  EXPECT_EQ(json::parse(r->body)["mood"]["source"], "none");
  EXPECT_EQ(r->get_header_value("Set-Cookie"), "");
  r = c.Get("/api/mood", {{"X-Moodtune-Session", tab}});
  EXPECT_EQ(r->get_header_value("X-Moodtune-Session"), tab);

  // A frame without a face is fine: no faces, mood kept.
  cv::Mat blank(480, 640, CV_8UC3, cv::Scalar(90, 90, 90));
  std::vector<uchar> png;
  cv::imencode(".png", blank, png);
  r = c.Post("/api/frames", with_cookie, std::string(png.begin(), png.end()), "image/png");
  ASSERT_EQ(r->status, 200);
  j = json::parse(r->body);
  EXPECT_TRUE(j["faces"].empty());
  EXPECT_EQ(j["mood"]["source"], "camera");
}

TEST_F(Server, BadInputGetsClearErrorsAndTheServerKeepsServing) {
  auto c = client();
  auto r = c.Post("/api/frames", "hello", "text/plain");
  EXPECT_EQ(r->status, 415);
  r = c.Post("/api/frames", std::string(5000, 'x'), "image/jpeg");
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(json::parse(r->body)["error"].get<std::string>().find("frame"), std::string::npos);
  r = c.Post("/api/frames", std::string(6u << 20, '\xff'), "image/jpeg");
  EXPECT_EQ(r->status, 413);
  // A tiny PNG header that claims 60000 x 60000 pixels: the IHDR chunk's
  // 21 bytes and a (wrong) CRC. (ASan caught this literal being 4 bytes short.)
  std::string bomb = "\x89PNG\r\n\x1a\n" + std::string(
                                               "\0\0\0\rIHDR\0\0\xea\x60\0\0\xea\x60\x08\x02\0\0\0"
                                               "\0\0\0\0",
                                               25);
  r = c.Post("/api/frames", bomb, "image/png");
  EXPECT_EQ(r->status, 400);

  r = c.Post("/api/feedback", "{not json", "application/json");
  EXPECT_EQ(r->status, 400);
  r = c.Post("/api/feedback", R"({"track": 999999, "action": "like"})", "application/json");
  EXPECT_EQ(r->status, 404);
  r = c.Post("/api/feedback", R"({"track": 1, "action": "love"})", "application/json");
  EXPECT_EQ(r->status, 400);
  r = c.Post("/api/feedback", R"({"track": "1", "action": "like"})", "application/json");
  EXPECT_EQ(r->status, 400);
  r = c.Post("/api/feedback", "track=1", "application/x-www-form-urlencoded");
  EXPECT_EQ(r->status, 415);
  r = c.Post("/api/mood", R"({"emotion": "bored"})", "application/json");
  EXPECT_EQ(r->status, 400);

  EXPECT_EQ(c.Get("/api/recommendations?emotion=bored")->status, 400);
  EXPECT_EQ(c.Get("/api/recommendations?n=0")->status, 400);
  EXPECT_EQ(c.Get("/api/recommendations?n=5x")->status, 400);
  EXPECT_EQ(c.Get("/api/recommendations?strategy=party")->status, 400);
  EXPECT_EQ(c.Get("/api/recommendations?probs=%7Bbad")->status, 400);
  EXPECT_EQ(c.Get("/api/nothing")->status, 404);

  // Another site's page cannot post feedback in the listener's name.
  r = c.Post("/api/feedback", {{"Origin", "http://evil.example"}}, R"({"track": 1, "action": "like"})",
             "application/json");
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "");

  r = c.Get("/api/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["status"], "ok");
}

TEST_F(Server, RecommendationsFeedbackAndAudioWithRanges) {
  auto c = client();
  auto r = c.Get("/api/recommendations?emotion=sad&n=3&strategy=match");
  ASSERT_EQ(r->status, 200) << r->body;
  json j = json::parse(r->body);
  ASSERT_EQ(j["tracks"].size(), 3u);
  EXPECT_EQ(j["mood"]["emotion"], "sad");
  json local;
  for (const auto& t : j["tracks"]) {
    EXPECT_FALSE(t["reason"].get<std::string>().empty());
    if (t["source"] == "local") local = t;
  }
  ASSERT_FALSE(local.is_null());
  EXPECT_EQ(local["play"]["type"], "audio");

  r = c.Get("/api/recommendations?emotion=happy&n=10");
  bool spotify = false;
  json happy = json::parse(r->body);
  for (const auto& t : happy["tracks"])
    if (t["source"] == "spotify") {
      spotify = true;
      EXPECT_EQ(t["play"]["url"], "https://open.spotify.com/embed/track/4uLU6hMCjMI75M1A2tKUQC");
      EXPECT_EQ(c.Get("/api/tracks/" + std::to_string(t["id"].get<int>()) + "/audio")->status, 404);
    }
  EXPECT_TRUE(spotify);

  // Feedback is in the database when the answer arrives.
  int id = local["id"];
  r = c.Post("/api/feedback", json{{"track", id}, {"action", "like"}, {"user", "ana"}}.dump(), "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  {
    Catalog cat(*db_, true);
    auto h = cat.history("ana", 10);
    ASSERT_EQ(h.size(), 1u);
    EXPECT_EQ(h[0].track_id, id);
    EXPECT_EQ(h[0].action, "like");
  }

  // Audio: ranges (seeking) and the right type; only catalog files.
  std::string url = local["play"]["url"];
  Catalog cat(*db_, true);
  std::string bytes = test::slurp(cat.find_track(id)->external_id);
  r = c.Get(url, {{"Range", "bytes=100-199"}});
  ASSERT_EQ(r->status, 206);
  EXPECT_EQ(r->get_header_value("Content-Type"), "audio/ogg");
  EXPECT_EQ(r->body, bytes.substr(100, 100));
  r = c.Get(url);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->body.size(), bytes.size());
  EXPECT_EQ(c.Get("/api/tracks/987654/audio")->status, 404);
}

TEST_F(Server, PlaylistsOfTheCurrentListAndOfWhatWasPlayed) {
  auto c = client();
  auto r = c.Get("/api/playlist?format=m3u8&strategy=calm", {{"X-Moodtune-Session", "new"}});
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "audio/x-mpegurl; charset=utf-8");
  EXPECT_NE(r->get_header_value("Content-Disposition").find("moodtune-list.m3u8"), std::string::npos);
  EXPECT_EQ(r->body.rfind("#EXTM3U", 0), 0u);
  const std::string audio = "http://127.0.0.1:" + std::to_string(server_->port()) + "/api/tracks/";
  EXPECT_NE(r->body.find(audio), std::string::npos) << "local files by this server's URL: " << r->body;
  // Each local entry plays from that URL.
  const size_t at = r->body.find(audio);
  const std::string url = r->body.substr(at, r->body.find('\n', at) - at);
  EXPECT_EQ(c.Get(url.substr(url.find("/api/")))->status, 200) << url;
  // What was played: nothing yet for a new listener, then the played track.
  r = c.Get("/api/playlist?from=played&format=xspf&user=pl");
  EXPECT_EQ(r->status, 404);
  ASSERT_EQ(c.Post("/api/feedback", R"({"track": 1, "action": "played", "user": "pl"})", "application/json")->status,
            200);
  r = c.Get("/api/playlist?from=played&format=xspf&user=pl");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->body.find("<trackList>"), std::string::npos);
  EXPECT_EQ(c.Get("/api/playlist?format=pls")->status, 400);
  EXPECT_EQ(c.Get("/api/playlist?from=elsewhere")->status, 400);
}

TEST_F(Server, StaticFilesAreConfinedToTheWebFolder) {
  auto c = client();
  auto r = c.Get("/");
  ASSERT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("moodtune"), std::string::npos);
  EXPECT_NE(r->get_header_value("Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  for (const char* path : {"/../../../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                           "/..%2f..%2f..%2f..%2fetc/passwd", "/app.js/../../CMakeLists.txt"}) {
    std::string resp = test::raw_http(
        server_->port(), std::string("GET ") + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(resp.find("root:"), std::string::npos) << path;
    EXPECT_EQ(resp.find("cmake_minimum_required"), std::string::npos) << path;
    EXPECT_EQ(resp.find("HTTP/1.1 200"), std::string::npos) << path << "\n" << resp.substr(0, 200);
  }
  // Malformed HTTP gets an error, and the server stays up.
  std::string resp = test::raw_http(server_->port(), "BLAH\r\n\r\n");
  EXPECT_EQ(resp.find("200 OK"), std::string::npos);
  EXPECT_EQ(c.Get("/api/health")->status, 200);
}

TEST_F(Server, MetricsAndNoFramesOnDisk) {
  auto c = client();
  cv::Mat blank(480, 640, CV_8UC3, cv::Scalar(90, 90, 90));
  std::vector<uchar> jpg;
  cv::imencode(".jpg", blank, jpg);
  ASSERT_EQ(c.Post("/api/frames", std::string(jpg.begin(), jpg.end()), "image/jpeg")->status, 200);
  // A request is counted by the server's logger hook, which runs once the
  // response is written: the client may read it a moment before (seen under
  // ASan), so wait up to 5 s for the count rather than racing it.
  std::string body;
  for (int i = 0; i < 100; ++i) {
    auto r = c.Get("/metrics");
    ASSERT_EQ(r->status, 200);
    body = r->body;
    if (body.find("route=\"/api/frames\"") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(body.find("moodtune_http_requests_total{route=\"/api/frames\""), std::string::npos) << body;
  EXPECT_NE(body.find("moodtune_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(body.find("moodtune_frames_total"), std::string::npos);
  // The server's working folder holds the database and nothing image-like.
  for (const auto& e : fs::recursive_directory_iterator(*dir_)) {
    std::string ext = e.path().extension().string();
    EXPECT_TRUE(ext != ".jpg" && ext != ".jpeg" && ext != ".png" && ext != ".bmp") << e.path();
  }
}

TEST(ServerStart, ACorruptModelFailsBeforeBinding) {
  auto dir = test::temp_dir("server-bad-model");
  std::ofstream(dir / "bad.mtm") << "not a model";
  test::ServerProcess s(dir, {"--model", (dir / "bad.mtm").string(), "--db", (dir / "x.db").string()});
  EXPECT_FALSE(s.running());
  EXPECT_EQ(s.exit_code(), 2);
  EXPECT_NE(s.stderr_text().find("bad.mtm"), std::string::npos) << s.stderr_text();
}

TEST(ServerStart, SigtermStopsCleanly) {
  auto dir = test::temp_dir("server-stop");
  test::ServerProcess s(dir, {"--db", (dir / "x.db").string()});
  ASSERT_TRUE(s.running()) << s.stderr_text();
  httplib::Client c("127.0.0.1", s.port());
  EXPECT_EQ(c.Get("/api/health")->status, 200);
  EXPECT_EQ(s.stop(SIGTERM), 0);
  EXPECT_NE(s.stderr_text().find("stopped"), std::string::npos) << s.stderr_text();
}

TEST(ServerSource, StreamsAnnotatedFramesAndMoodEvents) {
  MOODTUNE_REQUIRE_FER();
  auto dir = test::temp_dir("server-source");
  auto r = test::run_moodtune("data demo-video --fer " + test::fer_dir() + " --out " + (dir / "clip.avi").string() +
                              " --emotions happy --seconds 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  test::ServerProcess s(dir, {"--db", (dir / "x.db").string(), "--source", (dir / "clip.avi").string()});
  ASSERT_TRUE(s.running()) << s.stderr_text();
  httplib::Client c("127.0.0.1", s.port());
  c.set_read_timeout(20);
  std::string events;
  c.Get("/api/source/events", [&](const char* data, size_t n) {
    events.append(data, n);
    return events.find("\"happy\"") == std::string::npos ||
           events.find("\n\n", events.find("\"happy\"")) == std::string::npos;
  });
  EXPECT_NE(events.find("data: {"), std::string::npos) << events;
  EXPECT_NE(events.find("\"emotion\":\"happy\""), std::string::npos) << events.substr(0, 500);

  std::string mjpeg;
  c.Get("/api/source/stream.mjpeg", [&](const char* data, size_t n) {
    mjpeg.append(data, n);
    return mjpeg.size() < 20000;
  });
  EXPECT_EQ(mjpeg.rfind("--frame\r\nContent-Type: image/jpeg", 0), 0u) << mjpeg.substr(0, 100);
  EXPECT_NE(mjpeg.find("\xff\xd8\xff"), std::string::npos);

  auto status = json::parse(c.Get("/api/source")->body);
  EXPECT_NE(status["status"].get<std::string>(), "");
  EXPECT_EQ(s.stop(SIGTERM), 0) << s.stderr_text();  // streams end when the server stops
}

}  // namespace
}  // namespace moodtune

namespace moodtune {
namespace {

// Slow senders: connections that start a request and stall. The server
// must keep answering a well-behaved client meanwhile.
TEST(ServerHostile, SlowSendersDoNotStarveOtherClients) {
  auto dir = test::temp_dir("server-hostile");
  test::ServerProcess s(dir, {"--db", (dir / "x.db").string()});
  ASSERT_TRUE(s.running()) << s.stderr_text();
  std::vector<int> slow;
  for (int i = 0; i < 40; ++i) {
    // From another address than the client below (one address gets at
    // most --max-client-connections, 32 by default).
    int fd = test::connect_from(i % 2 ? "127.0.0.2" : "127.0.0.3", s.port());
    ASSERT_GE(fd, 0);
    std::string head =
        "POST /api/frames HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/jpeg\r\nContent-Length: 900000\r\n\r\nAB";
    (void)!write(fd, head.data(), head.size());
    slow.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  httplib::Client c("127.0.0.1", s.port());
  c.set_read_timeout(5);
  std::vector<double> ms;
  for (int i = 0; i < 20; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = c.Get("/api/health");
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    ASSERT_TRUE(r) << "request " << i << " failed while slow senders held connections";
    EXPECT_EQ(r->status, 200);
  }
  std::sort(ms.begin(), ms.end());
  EXPECT_LT(ms[18], 100.0) << "p95 of a well-behaved client under 40 stalled connections";
  for (int fd : slow) close(fd);
  EXPECT_EQ(s.stop(), 0);
}

}  // namespace
}  // namespace moodtune
