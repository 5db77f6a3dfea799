#include <gtest/gtest.h>

#include "music/playlist.h"

using namespace moodtune;

namespace {
std::vector<Track> two_tracks() {
  Track local;
  local.id = 7;
  local.source = "local";
  local.external_id = "/music/Sad & <Slow>/a b.ogg";
  local.title = "Sad & \"Slow\"";
  local.artist = "Me\nYou";
  local.duration_ms = 61400;
  Track sp;
  sp.id = 8;
  sp.source = "spotify";
  sp.external_id = "4uLU6hMCjMI75M1A2tKUQC";
  sp.title = "Happy Song";
  sp.artist = "Someone";
  sp.album = "Album";
  return {local, sp};
}
}  // namespace

TEST(Playlist, M3u8HasOneEntryPerTrackWithPathsAndSpotifyUrls) {
  auto entries = playlist_entries(two_tracks(), [](const Track& t) { return t.external_id; });
  const std::string m3u = write_playlist(entries, PlaylistFormat::kM3u8, "moodtune: sad");
  EXPECT_EQ(m3u.rfind("#EXTM3U\n#PLAYLIST:moodtune: sad\n", 0), 0u) << m3u;
  EXPECT_NE(m3u.find("#EXTINF:61,Me You - Sad & \"Slow\"\n/music/Sad & <Slow>/a b.ogg\n"), std::string::npos) << m3u;
  EXPECT_NE(m3u.find("#EXTINF:-1,Someone - Happy Song\nhttps://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC\n"),
            std::string::npos)
      << m3u;
}

TEST(Playlist, XspfIsEscapedXmlWithFileUris) {
  auto entries = playlist_entries(two_tracks(), [](const Track& t) { return t.external_id; });
  const std::string x = write_playlist(entries, PlaylistFormat::kXspf, "a < b");
  EXPECT_NE(x.find("<playlist version=\"1\" xmlns=\"http://xspf.org/ns/0/\">"), std::string::npos);
  EXPECT_NE(x.find("<title>a &lt; b</title>"), std::string::npos);
  EXPECT_NE(x.find("<location>file:///music/Sad%20%26%20%3CSlow%3E/a%20b.ogg</location>"), std::string::npos) << x;
  EXPECT_NE(x.find("<title>Sad &amp; &quot;Slow&quot;</title>"), std::string::npos);
  EXPECT_NE(x.find("<duration>61400</duration>"), std::string::npos);
  EXPECT_NE(x.find("<location>https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC</location>"), std::string::npos);
  EXPECT_NE(x.find("<album>Album</album>"), std::string::npos);
  // Server URLs stay as they are.
  auto web = playlist_entries(two_tracks(), [](const Track& t) { return "http://localhost:8080/api/tracks/" + std::to_string(t.id) + "/audio"; });
  EXPECT_NE(write_playlist(web, PlaylistFormat::kXspf, "x").find("<location>http://localhost:8080/api/tracks/7/audio</location>"),
            std::string::npos);
  EXPECT_EQ(parse_playlist_format("xspf"), PlaylistFormat::kXspf);
  EXPECT_EQ(parse_playlist_format("m3u"), PlaylistFormat::kM3u8);
  EXPECT_FALSE(parse_playlist_format("pls").has_value());
}
