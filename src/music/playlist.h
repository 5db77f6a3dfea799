// playlist.h — a list of tracks written as a playlist file that other
// players open: M3U8 (UTF-8 extended M3U) or XSPF (the XML Shareable
// Playlist Format).
//
//   std::vector<moodtune::PlaylistEntry> list = moodtune::playlist_entries(tracks, local_location);
//   std::string text = moodtune::write_playlist(list, moodtune::PlaylistFormat::kXspf, "moodtune: sad");
//
// Local files appear by path (CLI) or by the server's URL (the page);
// Spotify tracks by their open.spotify.com URL. Pure functions: thread-safe.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "music/track.h"

namespace moodtune {

enum class PlaylistFormat { kM3u8, kXspf };
// "m3u8" / "m3u" or "xspf"; nullopt otherwise.
std::optional<PlaylistFormat> parse_playlist_format(const std::string& s);
const char* playlist_content_type(PlaylistFormat f);  // audio/x-mpegurl, application/xspf+xml
const char* playlist_extension(PlaylistFormat f);     // .m3u8, .xspf

struct PlaylistEntry {
  std::string location;  // a path or a URL
  std::string title, artist, album;
  int64_t duration_ms = 0;
};

// Spotify tracks get their open URL; local ones `local_location(track)`.
std::vector<PlaylistEntry> playlist_entries(const std::vector<Track>& tracks,
                                            const std::function<std::string(const Track&)>& local_location);

std::string write_playlist(const std::vector<PlaylistEntry>& entries, PlaylistFormat format,
                           const std::string& title);

}  // namespace moodtune
