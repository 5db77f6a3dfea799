// The real `moodtune serve` as an attacker meets it (issue 13): foreign Host
// names (DNS rebinding), other sites' pages, bodies without or beyond their
// limits, odd ranges, a catalogued file swapped for a symbolic link, and
// what errors and health reveal. docs/security.md explains each defence.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "music/catalog.h"
#include "server_process.h"

namespace moodtune {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;


std::string status_line(const std::string& response) { return response.substr(0, response.find("\r\n")); }

class Security : public test::SharedServerSuite<Security> {
 protected:
  static void SetUpTestSuite() { start("security", {"--max-frame-bytes", "100000"}); }
  static std::string request(const std::string& head_and_body) {
    return test::raw_http(server_->port(), head_and_body);
  }
  static std::string host() { return "localhost:" + std::to_string(server_->port()); }
};

TEST_F(Security, OnlyKnownHostNamesGetAnAnswer) {
  for (const char* path : {"/", "/api/health", "/api/feedback"}) {
    const std::string evil =
        request(std::string("GET ") + path + " HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(status_line(evil), "HTTP/1.1 421 Misdirected Request") << path;
    EXPECT_EQ(evil.find("moodtune</title>"), std::string::npos);
    const std::string own =
        request(std::string("GET ") + path + " HTTP/1.1\r\nHost: " + host() + "\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(status_line(own), "HTTP/1.1 200 OK") << path;
  }
  const std::string no_host = request("GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(status_line(no_host), "HTTP/1.1 421 Misdirected Request");
}

TEST_F(Security, OtherSitesCannotChangeOrReadAnything) {
  auto c = client();
  const std::string like = R"({"track": 1, "action": "like"})";
  auto r = c.Post("/api/feedback", {{"Origin", "http://evil.example"}}, like, "application/json");
  EXPECT_EQ(r->status, 403) << r->body;
  r = c.Post("/api/feedback", {{"Origin", "http://localhost:3000"}}, like, "application/json");
  EXPECT_EQ(r->status, 403) << "another local application's page";
  // The server's own page, over http or behind TLS, may.
  for (const char* scheme : {"http://", "https://"}) {
    httplib::Headers h = {{"Origin", scheme + host()}, {"Host", host()}};
    r = c.Post("/api/feedback", h, like, "application/json");
    EXPECT_EQ(r->status, 200) << scheme << " " << r->body;
  }
  // Another site's <img src> or fetch() of per-listener data or the camera.
  r = c.Get("/api/feedback", {{"Sec-Fetch-Site", "cross-site"}});
  EXPECT_EQ(r->status, 403);
  r = c.Get("/api/feedback", {{"Sec-Fetch-Site", "same-origin"}});
  EXPECT_EQ(r->status, 200);
  // No CORS: nothing invites another origin to read answers.
  r = c.Get("/api/health", {{"Origin", "http://evil.example"}});
  EXPECT_FALSE(r->has_header("Access-Control-Allow-Origin"));
  // State changes need their proper Content-Type.
  r = c.Post("/api/mood", R"({"emotion": "sad"})", "text/plain");
  EXPECT_EQ(r->status, 415) << r->body;
  r = c.Post("/api/mood", R"({"emotion": "sad"})", "application/json");
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(Security, BodiesNeedALengthWithinTheLimitAndAreRefusedBeforeTheyAreRead) {
  // Chunked: refused on its headers, before a chunk arrives (a 300 MB
  // chunked flood used to be buffered whole).
  auto t0 = std::chrono::steady_clock::now();
  std::string resp = request("POST /api/frames HTTP/1.1\r\nHost: " + host() +
                             "\r\nContent-Type: image/jpeg\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(status_line(resp), "HTTP/1.1 411 Length Required") << resp.substr(0, 300);
  // No length at all.
  resp = request("POST /api/mood HTTP/1.1\r\nHost: " + host() +
                 "\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(status_line(resp), "HTTP/1.1 411 Length Required");
  // A declared 300 MB frame: 413 before the body is sent.
  resp = request("POST /api/frames HTTP/1.1\r\nHost: " + host() +
                 "\r\nContent-Type: image/jpeg\r\nContent-Length: 300000000\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(status_line(resp), "HTTP/1.1 413 Payload Too Large");
  EXPECT_NE(resp.find("100000 bytes"), std::string::npos) << "the limit set by --max-frame-bytes";
  resp = request("POST /api/feedback HTTP/1.1\r\nHost: " + host() +
                 "\r\nContent-Type: application/json\r\nContent-Length: 12x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(status_line(resp), "HTTP/1.1 400 Bad Request");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5)) << "no refusal waits for a body";
  EXPECT_EQ(client().Get("/api/health")->status, 200);
}

TEST_F(Security, RangesAreCheckedAndOnlyRegularFilesAreServed) {
  Catalog cat(*db_, true);
  std::vector<Track> local;
  for (const auto& t : cat.all_tracks())
    if (t.source == "local") local.push_back(t);
  ASSERT_EQ(local.size(), 2u);
  const std::string url = "/api/tracks/" + std::to_string(local[0].id) + "/audio";
  const auto size = fs::file_size(local[0].external_id);
  auto c = client();
  // A range storm: the file once, not 799 times.
  std::string storm = "bytes=0-";
  for (int i = 0; i < 798; ++i) storm += ",0-";
  auto r = c.Get(url, {{"Range", storm}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.size(), size);
  for (const char* bad : {"bytes=99999999999-", "bytes=-0"}) {
    r = c.Get(url, {{"Range", bad}});
    EXPECT_EQ(r->status, 416) << bad;
    EXPECT_EQ(r->get_header_value("Content-Range"), "bytes */" + std::to_string(size)) << bad;
  }
  r = c.Get(url, {{"Range", "bytes=-100"}});
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body.size(), 100u);
  r = c.Get(url, {{"Range", "bytes=10-99999999999"}});
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body.size(), size - 10);
  // The second track's file swapped for a link to a secret: not served.
  fs::remove(local[1].external_id);
  fs::create_symlink("/etc/passwd", local[1].external_id);
  r = c.Get("/api/tracks/" + std::to_string(local[1].id) + "/audio");
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body.find("root:"), std::string::npos);
  EXPECT_NE(r->body.find("symbolic link"), std::string::npos) << r->body;
}

TEST_F(Security, HealthMetricsAndSessionsRevealNothingUseful) {
  auto c = client();
  auto r = c.Get("/api/health");
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->body.find(dir_->string()), std::string::npos) << r->body;
  EXPECT_EQ(json::parse(r->body)["model"].get<std::string>().find('/'), std::string::npos) << r->body;
  EXPECT_EQ(c.Get("/metrics")->status, 200);  // this machine
  EXPECT_EQ(c.Get("/metrics", {{"X-Forwarded-For", "203.0.113.9"}})->status, 403) << "through a proxy";
  // Session ids: 128 random bits each, never repeated.
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    r = c.Get("/api/mood");
    const std::string id = r->get_header_value("X-Moodtune-Session");
    EXPECT_EQ(id.size(), 32u);
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 50u);
}

// Opens a connection, sends `request` and reads up to the end of the
// answer's headers; the connection stays open (a stream being watched).
struct OpenStream {
  int fd = -1;
  std::string head;
  ~OpenStream() {
    if (fd >= 0) close(fd);
  }
};
std::unique_ptr<OpenStream> open_stream(int port, const std::string& path) {
  auto s = std::make_unique<OpenStream>();
  s->fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{5, 0};
  setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(s->fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return s;
  const std::string req = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
  (void)!send(s->fd, req.data(), req.size(), MSG_NOSIGNAL);
  char c;
  while (s->head.find("\r\n\r\n") == std::string::npos && read(s->fd, &c, 1) == 1) s->head += c;
  return s;
}

double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i)
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Streams hold a request thread each: they are capped, and one watching a
// source without pictures waits instead of spinning a core.
TEST(SecurityStreams, StreamsAreCappedAndAnIdleOneDoesNotSpin) {
  auto dir = test::temp_dir("security-streams");
  test::ServerProcess s(
      dir, {"--db", (dir / "x.db").string(), "--source", (dir / "missing.avi").string(), "--max-streams", "2"});
  ASSERT_TRUE(s.running()) << s.stderr_text();
  // The baseline: the source retrying its missing file once a second (costly
  // under the sanitizers), with no stream open.
  double t0 = cpu_seconds(s.pid());
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const double idle = cpu_seconds(s.pid()) - t0;
  auto a = open_stream(s.port(), "/api/source/events");
  auto b = open_stream(s.port(), "/api/source/stream.mjpeg");
  EXPECT_EQ(status_line(a->head), "HTTP/1.1 200 OK") << a->head;
  EXPECT_EQ(status_line(b->head), "HTTP/1.1 200 OK") << b->head;
  auto third = open_stream(s.port(), "/api/source/events");
  EXPECT_EQ(status_line(third->head), "HTTP/1.1 503 Service Unavailable") << third->head;
  httplib::Client c("127.0.0.1", s.port());
  c.set_read_timeout(1);
  auto r = c.Get("/api/health");
  ASSERT_TRUE(r) << "health within 1 s while the streams are open";
  EXPECT_EQ(r->status, 200);

  t0 = cpu_seconds(s.pid());
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const double watched = cpu_seconds(s.pid()) - t0;
  // A spinning stream costs a core: ~2 s of CPU in these 2 s.
  EXPECT_LT(watched - idle, 0.5) << "the server is busy while its streams have nothing to send (idle " << idle
                                 << " s, watched " << watched << " s)";

  a.reset();  // the events stream notices at its next keep-alive
  bool reopened = false;
  for (int i = 0; i < 20 && !reopened; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    reopened = status_line(open_stream(s.port(), "/api/source/events")->head) == "HTTP/1.1 200 OK";
  }
  EXPECT_TRUE(reopened) << "a closed stream gives its slot back";
}

// Errors name what the client can do, not internals.
TEST(SecurityStart, AnEmptyCatalogSaysWhatToDo) {
  auto dir = test::temp_dir("security-empty");
  test::ServerProcess s(dir, {"--db", (dir / "empty.db").string()});
  ASSERT_TRUE(s.running()) << s.stderr_text();
  httplib::Client c("127.0.0.1", s.port());
  auto r = c.Get("/api/recommendations?emotion=sad");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("import a CSV or scan a music folder"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find(dir.string()), std::string::npos) << r->body;
}

TEST(SecurityStart, BadAccessOptionsStopTheServerBeforeItListens) {
  auto dir = test::temp_dir("security-start");
  auto r = test::run_moodtune("serve --port 0 --db " + (dir / "x.db").string() + " --allowed-host kiosk.lan:80");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--allowed-host"), std::string::npos) << r.err;
  r = test::run_moodtune("serve --port 0 --db " + (dir / "x.db").string() + " --public-origin music.example.org");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--public-origin"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace moodtune
