// library subcommands: scan a folder of audio files into the catalog, list
// what was found with its estimated mood.
#include <algorithm>
#include <cstdio>

#include "cli/commands.h"
#include "music/library_scan.h"
#include "music/mood.h"

namespace moodtune::cli {
using json = nlohmann::json;

void add_library_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("library", "Your own music folder: scan and analyse it");
  cmd->require_subcommand(1);
  auto db = std::make_shared<std::string>(default_db_path());

  auto* scan = cmd->add_subcommand("scan", "Read tags, analyse the audio and add every track to the catalog");
  auto dir = std::make_shared<std::string>();
  auto params = std::make_shared<LibraryScanParams>();
  auto json_out = std::make_shared<std::string>();
  scan->add_option("DIR", *dir, "Folder to scan (recursively)")->required();
  scan->add_option("--db", *db, kDbHelp);
  scan->add_option("--threads", params->threads, "Analysis threads (0 = one per core)");
  scan->add_flag("--force", params->force, "Re-analyse files that have not changed");
  scan->add_option("--json", *json_out, "Write the scan summary as JSON to this file ('-' for stdout)");
  scan->callback([=, &exit_code] {
    guarded(exit_code, [&] {
      auto cat = open_catalog(*db);
      LibraryScanResult r = scan_library(*cat, *dir, *params);
      for (const auto& e : r.errors) std::fprintf(stderr, "skipped %s: %s\n", e.path.c_str(), e.message.c_str());
      std::fprintf(stderr,
                   "%d audio files: %d analysed, %d unchanged, %d failed; %.1f min of audio in %.1f s "
                   "(%.0fx real time per core)\n",
                   r.found, r.analysed, r.unchanged, r.failed, r.audio_seconds / 60, r.wall_seconds,
                   r.realtime_factor_per_core());
      if (!json_out->empty()) {
        json j = {{"dir", *dir},
                  {"found", r.found},
                  {"analysed", r.analysed},
                  {"unchanged", r.unchanged},
                  {"failed", r.failed},
                  {"audio_seconds", r.audio_seconds},
                  {"wall_seconds", r.wall_seconds},
                  {"analysis_seconds", r.analysis_seconds},
                  {"realtime_factor_per_core", r.realtime_factor_per_core()},
                  {"errors", json::array()}};
        for (const auto& e : r.errors) j["errors"].push_back({{"path", e.path}, {"message", e.message}});
        if (*json_out == "-")
          std::cout << j.dump(2) << "\n";
        else
          write_json(*json_out, j);
      }
      return r.failed > 0 ? 1 : 0;
    });
  });

  auto* list = cmd->add_subcommand("list", "Local tracks with their estimated mood, happiest first");
  auto list_json = std::make_shared<bool>(false);
  list->add_option("--db", *db, kDbHelp);
  list->add_flag("--json", *list_json, "JSON array instead of a table");
  list->callback([=, &exit_code] {
    guarded(exit_code, [&] {
      auto cat = open_catalog(*db);
      std::vector<std::pair<Track, VA>> rows;
      for (auto& t : cat->all_tracks())
        if (t.source == "local")
          if (auto va = track_va(t)) rows.emplace_back(std::move(t), *va);
      std::stable_sort(rows.begin(), rows.end(),
                       [](const auto& a, const auto& b) { return a.second.valence > b.second.valence; });
      json arr = json::array();
      for (const auto& [t, va] : rows) {
        if (*list_json) {
          arr.push_back({{"id", t.id},
                         {"title", t.title},
                         {"artist", t.artist},
                         {"path", t.external_id},
                         {"valence", va.valence},
                         {"arousal", va.arousal},
                         {"tempo", t.tempo.value_or(0)},
                         {"mode", t.mode ? (*t.mode ? "major" : "minor") : "unknown"}});
        } else {
          std::printf("%6lld  %-32.32s  valence %+.2f  arousal %+.2f  %5.0f bpm  %s\n", static_cast<long long>(t.id),
                      t.title.c_str(), va.valence, va.arousal, t.tempo.value_or(0),
                      t.mode ? (*t.mode ? "major" : "minor") : "");
        }
      }
      if (*list_json)
        std::cout << arr.dump(2) << "\n";
      else if (rows.empty())
        std::fprintf(stderr, "no local tracks; run `moodtune library scan DIR` first\n");
      return 0;
    });
  });
}

}  // namespace moodtune::cli
