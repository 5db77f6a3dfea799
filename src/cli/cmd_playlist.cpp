// playlist export: a recommendation list, or what a listener played, as an
// M3U8 or XSPF file other players open.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "common/atomic_file.h"
#include "music/playlist.h"
#include "music/recommender.h"

namespace moodtune::cli {
namespace fs = std::filesystem;

void add_playlist_command(CLI::App& app, int& exit_code) {
  struct Opts {
    std::string emotion, strategy = "match", user, db = default_db_path(), format, out;
    int n = 20;
    bool played = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("playlist", "Playlists for other players (M3U8, XSPF)");
  cmd->require_subcommand(1);
  auto* ex = cmd->add_subcommand("export", "A list for an emotion, or what a listener played, as a playlist file");
  auto* e = ex->add_option("--emotion", o->emotion, "The list `recommend --emotion` gives");
  auto* p = ex->add_flag("--played", o->played, "What --user played or liked, newest first");
  e->excludes(p);
  ex->add_option("--strategy", o->strategy, "match | uplift | calm")->capture_default_str();
  ex->add_option("-n", o->n, "Tracks at most")->capture_default_str()->check(CLI::Range(1, 1000));
  ex->add_option("--user", o->user, "Listener");
  ex->add_option("--format", o->format, "m3u8 | xspf (default: from --out's extension, else m3u8)");
  ex->add_option("--out", o->out, "File to write (default: standard output)");
  ex->add_option("--db", o->db, kDbHelp)->capture_default_str();
  ex->callback([o, &exit_code] {
    guarded(exit_code, [&] {
      if (o->emotion.empty() == !o->played) throw std::invalid_argument("give --emotion NAME or --played --user NAME");
      if (o->played && o->user.empty()) throw std::invalid_argument("--played needs --user NAME");
      std::string fmt = o->format;
      if (fmt.empty()) fmt = fs::path(o->out).extension() == ".xspf" ? "xspf" : "m3u8";
      const auto format = parse_playlist_format(fmt);
      if (!format) throw std::invalid_argument("unknown format '" + fmt + "' (m3u8, xspf)");
      if (!is_postgres_url(o->db) && !fs::exists(o->db))
        throw std::runtime_error(o->db + ": no catalog yet (run `moodtune catalog import FILE.csv`)");
      Catalog cat(o->db);
      std::vector<Track> tracks;
      std::string title;
      if (o->played) {
        tracks = cat.played_tracks(o->user, o->n);
        title = "moodtune: played by " + o->user;
      } else {
        const auto strategy = parse_strategy(o->strategy);
        if (!strategy) throw std::invalid_argument("unknown strategy '" + o->strategy + "' (match, uplift, calm)");
        const auto mood = emotion_va(o->emotion);
        if (!mood) throw std::invalid_argument("unknown emotion '" + o->emotion + "'");
        RecommendParams rp;
        rp.strategy = *strategy;
        rp.n = std::min(o->n, 100);
        rp.listener = o->user;
        rp.mood_name = o->emotion;
        for (auto& r : Recommender(cat).recommend(*mood, rp)) tracks.push_back(std::move(r.track));
        title = "moodtune: " + o->strategy + " for " + o->emotion;
      }
      if (tracks.empty()) throw std::runtime_error("no tracks to put in the playlist");
      const std::string text =
          write_playlist(playlist_entries(tracks, [](const Track& t) { return t.external_id; }), *format, title);
      if (o->out.empty()) {
        std::cout << text;
      } else {
        write_file_atomically(o->out, text);
        std::cerr << o->out << ": " << tracks.size() << " tracks\n";
      }
      return 0;
    });
  });
}

}  // namespace moodtune::cli
