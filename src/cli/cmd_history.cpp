// history: a listener's mood over the last days and what they liked in
// which mood (kept only with their consent), the consent itself, and
// deleting all of it.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "server/api_json.h"
#include "server/requests.h"

namespace moodtune::cli {
namespace fs = std::filesystem;

namespace {
void print_report(const std::string& user, const MoodHistoryReport& r, int days) {
  std::cout << "mood history of " << user << ": "
            << (r.keep ? "kept (turn off: --consent off)" : "not kept (turn on: --consent on)") << "\n";
  if (r.days.empty()) std::cout << "  no days in the last " << days << "\n";
  for (const MoodDay& d : r.days) {
    // A bar per day: each emotion's share in tenths, by its first letter.
    std::string bar;
    for (int i = 0; i < kNumEmotions; ++i)
      bar += std::string(static_cast<size_t>(d.share[static_cast<size_t>(i)] * 20 + 0.5), emotion_name(i)[0]);
    char line[96];
    std::snprintf(line, sizeof line, "  %s  %-8s valence %+5.2f arousal %+5.2f  %4lld samples  ", d.day.c_str(),
                  emotion_name(d.top()).c_str(), d.valence, d.arousal, static_cast<long long>(d.samples));
    std::cout << line << bar << "\n";
  }
  std::string mood;
  for (const MoodFeedback& f : r.by_mood) {
    if (f.mood != mood) std::cout << "  when you were " << (mood = f.mood) << ":\n";
    std::cout << "    " << f.track.title << " — " << f.track.artist << "  (" << f.likes << " liked, " << f.skips
              << " skipped)\n";
  }
}
}  // namespace

void add_history_command(CLI::App& app, int& exit_code) {
  struct Opts {
    std::string user = "you", db = default_db_path(), consent;
    int days = 14;
    bool json = false, erase = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "history", "A listener's mood over the last days and the tracks they liked in each mood (kept only with "
                 "their consent); --consent on|off, --delete");
  cmd->add_option("--user", o->user, "Listener")->capture_default_str();
  cmd->add_option("--days", o->days, "Days to show")->capture_default_str()->check(CLI::Range(1, 366));
  cmd->add_flag("--json", o->json, "JSON output (the shape of GET /api/history)");
  auto* c = cmd->add_option("--consent", o->consent, "on: keep a mood history from now on; off: stop keeping it")
                ->check(CLI::IsMember({"on", "off"}));
  auto* d = cmd->add_flag("--delete", o->erase,
                          "Delete the listener's mood days, likes, skips and plays and what was learned from them");
  c->excludes(d);
  cmd->add_option("--db", o->db, kDbHelp)->capture_default_str();
  cmd->callback([o, &exit_code] {
    guarded(exit_code, [&] {
      if (!valid_listener(o->user)) throw std::invalid_argument("--user must be 1-64 letters, digits, - _ or .");
      if (!is_postgres_url(o->db) && !fs::exists(o->db)) throw std::runtime_error(o->db + ": no catalog yet");
      auto cat = open_catalog(o->db);
      if (o->erase) {
        const ForgetReport f = cat->forget_listener(o->user);
        std::cout << "deleted for " << o->user << ": " << f.days << " days of mood, " << f.feedback
                  << " likes, skips and plays, " << f.preferences << " learned preferences\n";
        return 0;
      }
      if (!o->consent.empty()) {
        cat->set_mood_history_consent(o->user, o->consent == "on");
        std::cout << (o->consent == "on" ? "keeping a mood history for " : "no longer keeping a mood history for ")
                  << o->user
                  << (o->consent == "on" ? " (day summaries only; delete it with --delete)"
                                         : " (what was kept stays until --delete)")
                  << "\n";
        return 0;
      }
      const MoodHistoryReport r = cat->mood_history(o->user, o->days);
      if (o->json) {
        auto j = mood_history_json(r);
        j["user"] = o->user;
        std::cout << j.dump(1) << "\n";
      } else {
        print_report(o->user, r, o->days);
      }
      return 0;
    });
  });
}

}  // namespace moodtune::cli
