#include <gtest/gtest.h>

#include <set>

#include "common/secure_random.h"
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
  AccessPolicy lan(ap, "192.168.1.20");
  EXPECT_TRUE(lan.host_allowed("192.168.1.20:8080"));
  EXPECT_TRUE(lan.host_allowed("kiosk.lan:8080"));
  EXPECT_TRUE(lan.host_allowed("music.example.org"));
  EXPECT_FALSE(lan.host_allowed("192.168.1.21"));
  // A wildcard bind adds no name of its own.
  EXPECT_FALSE(AccessPolicy({}, "0.0.0.0").host_allowed("0.0.0.0"));
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
