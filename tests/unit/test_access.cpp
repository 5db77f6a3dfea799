#include <gtest/gtest.h>

#include <set>

#include <thread>

#include "common/memory_budget.h"
#include "common/secure_random.h"
#include "server/request_limits.h"
#include "server/requests.h"
#include "service/sessions.h"
#include "server/access.h"
#include "server/audio_route.h"

using namespace moodtune;

TEST(Access, HostNamesAreParsedStrictly) {
  EXPECT_EQ(host_name_of("LocalHost:8080"), "localhost");
  EXPECT_EQ(host_name_of("[::1]:8080"), "::1");
  EXPECT_EQ(host_name_of("127.0.0.1"), "127.0.0.1");
  for (const char* bad : {"", ":80", "a b", "x:80x", "[::1", "[::1]x", "a/b", "evil.example:", "a:1:2"})
    EXPECT_EQ(host_name_of(bad), "") << bad;
}

TEST(Access, OnlyKnownHostsAreAnswered) {
  AccessPolicy local({}, "127.0.0.1");
  for (const char* ok : {"localhost:8080", "127.0.0.1:1", "[::1]:8080", "LOCALHOST"})
    EXPECT_TRUE(local.host_allowed(ok)) << ok;
  // DNS rebinding: the attacker's own name, pointed at 127.0.0.1.
  for (const char* no : {"evil.example", "evil.example:8080", "", "localhost.evil.example", "127.0.0.1.nip.io"})
    EXPECT_FALSE(local.host_allowed(no)) << no;

  AccessParams ap;
  ap.allowed_hosts = {"kiosk.lan"};
  ap.public_origins = {"https://Music.Example.org"};
  ap.token = "0123456789abcdef0123";
  AccessPolicy lan(ap, "192.168.1.20");
  EXPECT_TRUE(lan.host_allowed("192.168.1.20:8080"));
  EXPECT_TRUE(lan.host_allowed("kiosk.lan:8080"));
  EXPECT_TRUE(lan.host_allowed("music.example.org"));
  EXPECT_FALSE(lan.host_allowed("192.168.1.21"));
  // A wildcard bind adds no name of its own.
  EXPECT_FALSE(AccessPolicy(AccessParams{{}, {}, "0123456789abcdef0123"}, "0.0.0.0").host_allowed("0.0.0.0"));
}

TEST(Access, OtherMachinesNeedAToken) {
  // Listening beyond loopback without a token is refused outright.
  for (const char* host : {"0.0.0.0", "192.168.1.20", "::"})
    EXPECT_THROW(AccessPolicy({}, host), std::invalid_argument) << host;
  EXPECT_NO_THROW(AccessPolicy({}, "127.0.0.1"));
  EXPECT_NO_THROW(AccessPolicy({}, "::1"));
  // Tokens too short to resist guessing, or with spaces, are refused.
  for (const char* bad : {"short", "has a space in it!!", "0123456789abcde"})
    EXPECT_THROW(AccessPolicy(AccessParams{{}, {}, bad}, "127.0.0.1"), std::invalid_argument) << bad;

  AccessPolicy p(AccessParams{{}, {}, "0123456789abcdef0123"}, "0.0.0.0");
  EXPECT_TRUE(p.token_required());
  EXPECT_TRUE(p.token_matches("0123456789abcdef0123"));
  for (const char* no : {"", "0123456789abcdef012", "0123456789abcdef01234", "1123456789abcdef0123"})
    EXPECT_FALSE(p.token_matches(no)) << no;
  EXPECT_TRUE(p.bearer_matches("Bearer 0123456789abcdef0123"));
  for (const char* no : {"0123456789abcdef0123", "Bearer ", "Basic 0123456789abcdef0123", "bearer x"})
    EXPECT_FALSE(p.bearer_matches(no)) << no;
  // Without a token nothing matches, not even an empty one.
  AccessPolicy open({}, "127.0.0.1");
  EXPECT_FALSE(open.token_required());
  EXPECT_FALSE(open.token_matches(""));
  EXPECT_FALSE(open.bearer_matches("Bearer "));
}

TEST(Access, ALoginRotatesTheSession) {
  SessionStore store;
  auto before = store.get("");
  const std::string old_id = before->id;
  auto after = store.rotate(old_id);
  EXPECT_NE(after->id, old_id);
  EXPECT_EQ(store.find(old_id), nullptr) << "an id seen before the login is worth nothing after it";
  EXPECT_EQ(store.find(after->id), after);
  store.drop(after->id);
  EXPECT_EQ(store.find(after->id), nullptr);
}

TEST(Access, LoginBodiesAreChecked) {
  LoginRequest r = parse_login_request(R"({"token": "abc", "listener": "alice"})");
  EXPECT_EQ(r.token, "abc");
  EXPECT_EQ(r.listener, "alice");
  EXPECT_EQ(parse_login_request(R"({"token": "abc"})").listener, "");
  for (const char* bad : {"", "[]", R"({"token": 5})", R"({"token": "a", "listener": "a b"})",
                          R"({"token": "a", "listener": ""})", "{"})
    EXPECT_THROW(parse_login_request(bad), std::invalid_argument) << bad;
}

TEST(Access, HistoryBodiesAreChecked) {
  HistoryRequest h = parse_history_request(R"({"keep": true, "user": "ana"})", true);
  EXPECT_EQ(h.keep, true);
  EXPECT_EQ(h.user, "ana");
  EXPECT_EQ(parse_history_request(R"({"keep": false})", true).keep, false);
  EXPECT_FALSE(parse_history_request("{}", false).keep.has_value());
  for (const char* bad : {"{}", "", "[]", R"({"keep": 1})", R"({"keep": "true"})", R"({"keep": true, "user": "a b"})",
                          R"({"keep": true, "user": 7})", "{"})
    EXPECT_THROW(parse_history_request(bad, true), std::invalid_argument) << bad;
}

TEST(RequestHead, LimitsOnSizeLinesAndFields) {
  ConnectionLimits lim;
  lim.max_head_bytes = 1000;
  lim.max_line_bytes = 200;
  lim.max_fields = 5;
  size_t n = 0;
  const std::string ok = "GET / HTTP/1.1\r\nHost: a\r\n\r\nBODY";
  EXPECT_EQ(check_request_head(ok.data(), ok.size(), lim, &n), HeadCheck::kComplete);
  EXPECT_EQ(n, ok.size() - 4);
  const std::string lf = "GET / HTTP/1.1\nHost: a\n\n";
  EXPECT_EQ(check_request_head(lf.data(), lf.size(), lim, &n), HeadCheck::kComplete);
  EXPECT_EQ(n, lf.size());
  const std::string partial = "GET / HTTP/1.1\r\nHost: a\r\n";
  EXPECT_EQ(check_request_head(partial.data(), partial.size(), lim, nullptr), HeadCheck::kNeedMore);
  // A line over the limit is refused before it ends.
  const std::string long_line = "GET / HTTP/1.1\r\nX: " + std::string(300, 'a');
  EXPECT_EQ(check_request_head(long_line.data(), long_line.size(), lim, nullptr), HeadCheck::kTooLarge);
  std::string fields = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 5; ++i) fields += "X: 1\r\n";
  const std::string five = fields + "\r\n";
  EXPECT_EQ(check_request_head(five.data(), five.size(), lim, nullptr), HeadCheck::kComplete);
  const std::string six = fields + "X: 1\r\n\r\n";
  EXPECT_EQ(check_request_head(six.data(), six.size(), lim, nullptr), HeadCheck::kTooLarge);
  // Short lines, but too many bytes in all.
  lim.max_fields = 1000;
  std::string big = "GET / HTTP/1.1\r\n";
  while (big.size() < 1100) big += "X: 12345678\r\n";
  EXPECT_EQ(check_request_head(big.data(), big.size(), lim, nullptr), HeadCheck::kTooLarge);
}

TEST(MemoryBudgetTest, ReservesWaitsAndRefuses) {
  MemoryBudget b(100, 2);
  EXPECT_EQ(b.reserve(101, std::chrono::milliseconds(0)), nullptr) << "more than the whole budget";
  auto a = b.reserve(60, std::chrono::milliseconds(0));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(b.in_use(), 60u);
  EXPECT_EQ(b.reserve(50, std::chrono::milliseconds(20)), nullptr) << "over the bytes left";
  auto c = b.reserve(40, std::chrono::milliseconds(0));
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(b.reserve(0, std::chrono::milliseconds(20)), nullptr) << "over the users allowed";
  // A waiter gets its share when another gives it back.
  std::thread giver([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    a.reset();
  });
  auto d = b.reserve(50, std::chrono::seconds(5));
  giver.join();
  EXPECT_NE(d, nullptr);
  c.reset();
  d.reset();
  EXPECT_EQ(b.in_use(), 0u);
}

TEST(Access, OriginsMustBeTheServersOwnPageOrAPublicOrigin) {
  AccessParams ap;
  ap.public_origins = {"https://music.example.org"};
  AccessPolicy policy(ap, "127.0.0.1");
  EXPECT_TRUE(policy.origin_allowed("http://localhost:8080", "localhost:8080"));
  EXPECT_TRUE(policy.origin_allowed("https://localhost:8080", "localhost:8080"));  // behind TLS
  EXPECT_TRUE(policy.origin_allowed("https://music.example.org", "127.0.0.1:8080"));
  EXPECT_FALSE(policy.origin_allowed("http://localhost:3000", "localhost:8080"));  // another local app
  EXPECT_FALSE(policy.origin_allowed("http://evil.example", "localhost:8080"));
  EXPECT_FALSE(policy.origin_allowed("null", "localhost:8080"));
  EXPECT_FALSE(policy.origin_allowed("file://", "localhost:8080"));
  EXPECT_FALSE(policy.origin_allowed("https://music.example.org.evil", "127.0.0.1:8080"));
}

TEST(Access, BadOptionsAreRefusedAtStart) {
  AccessParams host_with_port;
  host_with_port.allowed_hosts = {"kiosk.lan:8080"};
  EXPECT_THROW(AccessPolicy(host_with_port, "127.0.0.1"), std::invalid_argument);
  AccessParams origin_with_path;
  origin_with_path.public_origins = {"https://music.example.org/app"};
  EXPECT_THROW(AccessPolicy(origin_with_path, "127.0.0.1"), std::invalid_argument);
  AccessParams not_a_url;
  not_a_url.public_origins = {"music.example.org"};
  EXPECT_THROW(AccessPolicy(not_a_url, "127.0.0.1"), std::invalid_argument);
}

TEST(Access, SessionIdsAreRandomHex) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = random_hex_128();
    ASSERT_EQ(id.size(), 32u);
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Ranges, OneRangeClampedOrTheWholeFile) {
  using R = std::pair<uint64_t, uint64_t>;
  EXPECT_FALSE(choose_range({}, 100));
  EXPECT_EQ(choose_range({{0, 9}}, 100), R(0, 9));
  EXPECT_EQ(choose_range({{90, 500}}, 100), R(90, 99));  // end clamped
  EXPECT_EQ(choose_range({{10, -1}}, 100), R(10, 99));   // "10-"
  EXPECT_EQ(choose_range({{-1, 30}}, 100), R(70, 99));   // "-30"
  EXPECT_EQ(choose_range({{-1, 500}}, 100), R(0, 99));   // suffix longer than the file
  // Many ranges: the whole file once, not a multipart answer of 799 copies.
  httplib::Ranges storm(799, {0, -1});
  EXPECT_FALSE(choose_range(storm, 100));
  EXPECT_THROW(choose_range({{100, -1}}, 100), RangeNotSatisfiable);
  EXPECT_THROW(choose_range({{99999999999, -1}}, 100), RangeNotSatisfiable);
  EXPECT_THROW(choose_range({{-1, 0}}, 100), RangeNotSatisfiable);  // "-0"
  EXPECT_THROW(choose_range({{50, 40}}, 100), RangeNotSatisfiable);
  EXPECT_THROW(choose_range({{0, 0}}, 0), RangeNotSatisfiable);
}
