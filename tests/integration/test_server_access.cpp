// Who may use the real `moodtune serve` (issue 13): the access token, the
// login that rotates the session, a logged-in session bound to its
// listener, the refusal to listen beyond loopback without a token, and audio
// served only from under a scanned folder. docs/security.md explains each.
#include <gtest/gtest.h>
#include <httplib.h>

#include <regex>

#include <nlohmann/json.hpp>

#include "music/catalog.h"
#include "server_process.h"

namespace moodtune {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;

const char* kWesnoth = "/usr/share/games/wesnoth/1.16/data/core/music";
const std::string kToken = "test-token-0123456789abcdef";

class Token : public test::SharedServerSuite<Token> {
 protected:
  static void SetUpTestSuite() { start("token", {"--token", kToken}); }
  // Logs in; returns the new session id ("" on failure).
  static std::string login(const std::string& token, const std::string& listener, const std::string& old_id = "",
                           int* status = nullptr) {
    json body = {{"token", token}};
    if (!listener.empty()) body["listener"] = listener;
    httplib::Headers h;
    if (!old_id.empty()) h.emplace("X-Moodtune-Session", old_id);
    auto r = client().Post("/api/login", h, body.dump(), "application/json");
    if (status) *status = r ? r->status : -1;
    return r && r->status == 200 ? r->get_header_value("X-Moodtune-Session") : "";
  }
  static httplib::Headers as(const std::string& session) { return {{"X-Moodtune-Session", session}}; }
};

TEST_F(Token, WithoutALoginOnlyThePageAndHealthAnswer) {
  auto c = client();
  EXPECT_EQ(c.Get("/")->status, 200) << "the page itself, so it can log in";
  EXPECT_EQ(c.Get("/api/health")->status, 200);
  for (const char* path : {"/api/mood", "/api/recommendations?emotion=sad", "/api/feedback", "/api/tracks/1/audio"}) {
    auto r = c.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
    EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer realm=\"moodtune\"") << path;
    EXPECT_NE(r->body.find("login link"), std::string::npos) << r->body;
  }
  auto r = c.Post("/api/feedback", R"({"track": 1, "action": "like"})", "application/json");
  EXPECT_EQ(r->status, 401);
  r = c.Post("/api/frames", std::string(100, 'x'), "image/jpeg");
  EXPECT_EQ(r->status, 401);
  // A session id the server never logged in is not enough.
  r = c.Get("/api/mood");
  EXPECT_EQ(c.Get("/api/mood", as(std::string(32, 'a')))->status, 401);
  // The token itself, for tools.
  EXPECT_EQ(c.Get("/api/recommendations?emotion=sad", {{"Authorization", "Bearer " + kToken}})->status, 200);
  EXPECT_EQ(c.Get("/api/recommendations?emotion=sad", {{"Authorization", "Bearer " + kToken + "x"}})->status, 401);
  // Metrics: this machine, or anywhere with the token.
  EXPECT_EQ(c.Get("/metrics", {{"X-Forwarded-For", "203.0.113.9"}})->status, 403);
  EXPECT_EQ(c.Get("/metrics", {{"X-Forwarded-For", "203.0.113.9"}, {"Authorization", "Bearer " + kToken}})->status,
            200);
}

TEST_F(Token, ALoginRotatesTheSessionAndBindsItToItsListener) {
  int status = 0;
  EXPECT_EQ(login("wrong-token-0123456789", "alice", "", &status), "");
  EXPECT_EQ(status, 401);

  // An id the client had before (fixation) is replaced, not logged in.
  const std::string planted = client().Get("/api/health")->get_header_value("X-Moodtune-Session");
  const std::string alice = login(kToken, "alice", planted);
  ASSERT_EQ(alice.size(), 32u);
  EXPECT_NE(alice, planted);
  auto c = client();
  auto r = c.Post("/api/login", json{{"token", kToken}}.dump(), "application/json");
  const std::string cookie = r->get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;

  // Alice's session: her data only.
  r = c.Get("/api/feedback", as(alice));
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["user"], "alice");
  r = c.Get("/api/feedback?user=bob", as(alice));
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("belongs to listener 'alice'"), std::string::npos) << r->body;
  EXPECT_EQ(c.Get("/api/recommendations?emotion=sad&user=bob", as(alice))->status, 403);
  EXPECT_EQ(c.Post("/api/feedback", as(alice), R"({"track": 1, "action": "like", "user": "bob"})", "application/json")
                ->status,
            403);
  r = c.Post("/api/feedback", as(alice), R"({"track": 1, "action": "like"})", "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["user"], "alice");
  r = c.Get("/api/recommendations?emotion=sad", as(alice));
  EXPECT_EQ(json::parse(r->body)["user"], "alice");

  // Bob logs in separately and does not see Alice's like.
  const std::string bob = login(kToken, "bob");
  r = c.Get("/api/feedback", as(bob));
  EXPECT_EQ(json::parse(r->body)["feedback"].size(), 0u) << r->body;
  r = c.Get("/api/feedback?user=alice", {{"Authorization", "Bearer " + kToken}});
  EXPECT_EQ(json::parse(r->body)["feedback"].size(), 1u) << "the token holder may name any listener";

  // Audio through the cookie alone (what <audio> sends).
  Catalog cat(*db_, true);
  int64_t local = 0;
  for (const auto& t : cat.all_tracks())
    if (t.source == "local") local = t.id;
  r = c.Get("/api/tracks/" + std::to_string(local) + "/audio", {{"Cookie", "mt_session=" + alice}});
  EXPECT_EQ(r->status, 200);

  // Logging out ends the session.
  EXPECT_EQ(c.Post("/api/logout", as(alice), "", "application/json")->status, 200);
  EXPECT_EQ(c.Get("/api/feedback", as(alice))->status, 401);
}

// Last in the suite: it spends the minute's allowance of wrong tokens.
TEST_F(Token, WrongTokensAreLimited) {
  int status = 0, limited = 0;
  for (int i = 0; i < 12; ++i) {
    login("wrong-token-0123456789", "", "", &status);
    EXPECT_TRUE(status == 401 || status == 429) << status;
    limited += status == 429;
  }
  EXPECT_GE(limited, 1);
}

TEST(TokenStart, BeyondLoopbackATokenIsMadeOrTheServerDoesNotStart) {
  auto dir = test::temp_dir("token-start");
  const std::string db = (dir / "x.db").string();
  // No token given: one is made, printed as a login link, and works.
  {
    test::ServerProcess s(dir, {"--db", db, "--host", "0.0.0.0"});
    ASSERT_TRUE(s.running()) << s.stderr_text();
    const std::string out = test::slurp(dir / "serve.out");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(out, m, std::regex("#login=([0-9a-f]{32})"))) << out;
    httplib::Client c("127.0.0.1", s.port());
    EXPECT_EQ(c.Get("/api/mood")->status, 401);
    EXPECT_EQ(c.Get("/api/mood", {{"Authorization", "Bearer " + m[1].str()}})->status, 200);
  }
  // An explicit empty or weak token: refused before listening.
  for (const char* token : {"", "short"}) {
    auto r = test::run_moodtune("serve --port 0 --host 0.0.0.0 --db " + db + " --token '" + token + "'");
    EXPECT_NE(r.exit_code, 0) << token;
    EXPECT_NE(r.err.find("token"), std::string::npos) << r.err;
  }
}

TEST(LibraryRoots, OnlyFilesUnderAScannedFolderAreServed) {
  auto dir = test::temp_dir("roots");
  fs::create_directories(dir / "music" / "album");
  fs::create_directories(dir / "elsewhere" / "album");
  fs::copy_file(fs::path(kWesnoth) / "sad.ogg", dir / "music" / "album" / "sad.ogg");
  fs::copy_file(fs::path(kWesnoth) / "victory.ogg", dir / "elsewhere" / "victory.ogg");
  fs::copy_file(fs::path(kWesnoth) / "victory.ogg", dir / "elsewhere" / "album" / "sad.ogg");
  const std::string db = (dir / "r.db").string();
  auto r = test::run_moodtune("library scan " + (dir / "music").string() + " --db " + db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int64_t scanned = 0, outside = 0;
  {
    Catalog cat(db);
    EXPECT_EQ(cat.library_roots(), std::vector<std::string>{fs::canonical(dir / "music").string()});
    scanned = cat.all_tracks().front().id;
    // A path that reached the catalog some other way (a CSV, an edit).
    Track t;
    t.source = "local";
    t.external_id = (dir / "elsewhere" / "victory.ogg").string();
    t.title = "Not scanned";
    outside = cat.upsert_track(t).id;
  }
  test::ServerProcess s(dir, {"--db", db});
  ASSERT_TRUE(s.running()) << s.stderr_text();
  httplib::Client c("127.0.0.1", s.port());
  EXPECT_EQ(c.Get("/api/tracks/" + std::to_string(scanned) + "/audio")->status, 200);
  auto res = c.Get("/api/tracks/" + std::to_string(outside) + "/audio");
  EXPECT_EQ(res->status, 404);
  EXPECT_NE(res->body.find("outside the scanned music folders"), std::string::npos) << res->body;
  // A folder on the way swapped for a link to another place.
  fs::rename(dir / "music" / "album", dir / "album-moved");
  fs::create_directory_symlink(dir / "elsewhere" / "album", dir / "music" / "album");
  res = c.Get("/api/tracks/" + std::to_string(scanned) + "/audio");
  EXPECT_EQ(res->status, 404) << res->body;
}

}  // namespace
}  // namespace moodtune
