#include "music/playlist.h"

#include <cctype>
#include <sstream>

namespace moodtune {

namespace {
std::string xml_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // Control characters are not allowed in XML 1.0; tags may hold them.
        if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') out += static_cast<char>(c);
    }
  }
  return out;
}

// One line of M3U: no line breaks inside a field.
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

// XSPF locations are URIs: a local path becomes file:// with the
// characters URIs reserve percent-encoded.
std::string as_uri(const std::string& location) {
  if (location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0) return location;
  static const char* kHex = "0123456789ABCDEF";
  std::string out = "file://";
  for (unsigned char c : location) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~')
      out += static_cast<char>(c);
    else
      out += '%', out += kHex[c >> 4], out += kHex[c & 15];
  }
  return out;
}
}  // namespace

std::optional<PlaylistFormat> parse_playlist_format(const std::string& s) {
  if (s == "m3u8" || s == "m3u") return PlaylistFormat::kM3u8;
  if (s == "xspf") return PlaylistFormat::kXspf;
  return std::nullopt;
}

const char* playlist_content_type(PlaylistFormat f) {
  return f == PlaylistFormat::kM3u8 ? "audio/x-mpegurl; charset=utf-8" : "application/xspf+xml";
}

const char* playlist_extension(PlaylistFormat f) { return f == PlaylistFormat::kM3u8 ? ".m3u8" : ".xspf"; }

std::vector<PlaylistEntry> playlist_entries(const std::vector<Track>& tracks,
                                            const std::function<std::string(const Track&)>& local_location) {
  std::vector<PlaylistEntry> out;
  for (const Track& t : tracks) {
    PlaylistEntry e;
    e.location = t.source == "spotify" ? "https://open.spotify.com/track/" + t.external_id : local_location(t);
    e.title = t.title;
    e.artist = t.artist;
    e.album = t.album;
    e.duration_ms = t.duration_ms;
    out.push_back(std::move(e));
  }
  return out;
}

std::string write_playlist(const std::vector<PlaylistEntry>& entries, PlaylistFormat format,
                           const std::string& title) {
  std::ostringstream o;
  if (format == PlaylistFormat::kM3u8) {
    o << "#EXTM3U\n#PLAYLIST:" << one_line(title) << "\n";
    for (const auto& e : entries) {
      const int64_t secs = e.duration_ms > 0 ? (e.duration_ms + 500) / 1000 : -1;
      o << "#EXTINF:" << secs << "," << one_line(e.artist.empty() ? e.title : e.artist + " - " + e.title) << "\n"
        << one_line(e.location) << "\n";
    }
    return o.str();
  }
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<playlist version=\"1\" xmlns=\"http://xspf.org/ns/0/\">\n"
    << "  <title>" << xml_escape(title) << "</title>\n  <trackList>\n";
  for (const auto& e : entries) {
    o << "    <track>\n      <location>" << xml_escape(as_uri(e.location)) << "</location>\n"
      << "      <title>" << xml_escape(e.title) << "</title>\n";
    if (!e.artist.empty()) o << "      <creator>" << xml_escape(e.artist) << "</creator>\n";
    if (!e.album.empty()) o << "      <album>" << xml_escape(e.album) << "</album>\n";
    if (e.duration_ms > 0) o << "      <duration>" << e.duration_ms << "</duration>\n";
    o << "    </track>\n";
  }
  o << "  </trackList>\n</playlist>\n";
  return o.str();
}

}  // namespace moodtune
