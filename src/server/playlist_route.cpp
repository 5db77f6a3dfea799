// GET /api/playlist: the session's current list, or what its listener
// played, as an M3U8 or XSPF download for other players.
#include "music/playlist.h"
#include "server/requests.h"
#include "server/server_impl.h"

namespace moodtune {

void MoodServer::Impl::setup_playlist_routes() {
  http.Get("/api/playlist", [this](const httplib::Request& req, httplib::Response& res) {
    const auto format = parse_playlist_format(req.has_param("format") ? req.get_param_value("format") : "m3u8");
    if (!format) return send_error(res, 400, "format must be m3u8 or xspf");
    const std::string from = req.has_param("from") ? req.get_param_value("from") : "list";
    if (from != "list" && from != "played") return send_error(res, 400, "from must be list or played");
    const std::string asked = req.has_param("user") ? req.get_param_value("user") : "";
    if (!asked.empty() && !valid_listener(asked)) return send_error(res, 400, "user must be 1-64 letters, digits, - _ or .");
    const std::string listener = listener_for(req, asked);
    std::vector<Track> tracks;
    std::string title;
    if (from == "played") {
      tracks = service->played_tracks(listener, 200);
      title = "moodtune: played by " + listener;
    } else {
      RecommendQuery q;
      const auto strategy = parse_strategy(req.has_param("strategy") ? req.get_param_value("strategy") : "match");
      if (!strategy) return send_error(res, 400, "strategy must be match, uplift or calm");
      q.strategy = *strategy;
      q.n = 20;
      q.listener = listener;
      auto s = session(req, res);
      for (auto& r : service->recommend_for(s.get(), q).tracks) tracks.push_back(std::move(r.track));
      title = "moodtune: " + std::string(strategy_name(*strategy)) + " for your mood";
    }
    if (tracks.empty()) return send_error(res, 404, "nothing played yet: play or like a track first");
    // Other players fetch local tracks from this server, by the name the
    // browser used (an answered Host is a known one).
    const std::string origin = std::string(req.get_header_value("X-Forwarded-Proto") == "https" ? "https" : "http") +
                               "://" + req.get_header_value("Host");
    const std::string text = write_playlist(
        playlist_entries(tracks,
                         [&](const Track& t) { return origin + "/api/tracks/" + std::to_string(t.id) + "/audio"; }),
        *format, title);
    res.set_header("Cache-Control", "no-store");
    res.set_header("Content-Disposition", std::string("attachment; filename=\"moodtune-") + from +
                                              playlist_extension(*format) + "\"");
    res.set_content(text, playlist_content_type(*format));
  });
}

}  // namespace moodtune
