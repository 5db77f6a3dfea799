// catalog, recommend and feedback subcommands.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "common/emotions.h"
#include "music/csv_import.h"
#include "music/mood.h"
#include "music/recommender.h"

namespace moodtune::cli {
namespace fs = std::filesystem;
using json = nlohmann::json;

std::string default_db_path() {
  if (const char* env = std::getenv("MOODTUNE_DB"); env && *env) return env;
  const char* xdg = std::getenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  fs::path base = xdg && *xdg ? fs::path(xdg) : fs::path(home ? home : ".") / ".local" / "share";
  return (base / "moodtune" / "moodtune.db").string();
}

std::unique_ptr<Catalog> open_catalog(const std::string& path) {
  if (!is_postgres_url(path)) {
    fs::path p(path);
    if (p.has_parent_path()) fs::create_directories(p.parent_path());
  }
  return std::make_unique<Catalog>(path);
}

namespace {
json track_json(const Track& t) {
  json j = {{"id", t.id},         {"source", t.source}, {"external_id", t.external_id}, {"title", t.title},
            {"artist", t.artist}, {"album", t.album},   {"genres", t.genres},           {"duration_ms", t.duration_ms}};
  if (t.source == "spotify") j["url"] = "https://open.spotify.com/track/" + t.external_id;
  if (!t.mood_label.empty()) j["mood_label"] = t.mood_label;
  return j;
}

// --probs: {"happy": 0.7, ...} or [p_angry, ..., p_surprise] in class order.
std::vector<float> parse_probs(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("--probs is not valid JSON: ") + e.what());
  }
  try {
    return probs_from_json(j);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("--probs: ") + e.what());
  }
}
}  // namespace

void add_catalog_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("catalog", "The music catalog (a SQLite file, or PostgreSQL with a postgresql:// URL)");
  cmd->require_subcommand(1);
  auto db = std::make_shared<std::string>(default_db_path());
  auto* imp = cmd->add_subcommand("import", "Import a Spotify-style CSV with audio features");
  auto files = std::make_shared<std::vector<std::string>>();
  auto format = std::make_shared<std::string>("auto");
  imp->add_option("files", *files, "CSV files")->required();
  imp->add_option("--db", *db, kDbHelp)->capture_default_str();
  imp->add_option("--format", *format, "auto | spotify | moods | exportify")->capture_default_str();
  imp->callback([db, files, format, &exit_code] {
    guarded(exit_code, [&] {
      auto cat = open_catalog(*db);
      int rc = 0;
      for (const auto& f : *files) {
        try {
          ImportReport r = import_csv(*cat, f, *format);
          for (const auto& p : r.problems) std::cerr << "warning: " << p << "\n";
          std::cout << f << " (" << r.format << "): " << r.rows << " rows, " << r.inserted << " new tracks, "
                    << r.updated << " updated, " << r.unchanged << " unchanged, " << r.problems.size()
                    << " bad rows skipped\n";
          if (!r.problems.empty()) rc = 1;
        } catch (const std::exception& e) {
          std::cerr << "error: " << e.what() << "\n";
          rc = 1;
        }
      }
      return rc;
    });
  });
  auto* st = cmd->add_subcommand("stats", "Counts of tracks, genres, listeners and imports");
  st->add_option("--db", *db, kDbHelp)->capture_default_str();
  st->callback([db, &exit_code] {
    guarded(exit_code, [&] {
      if (!is_postgres_url(*db) && !fs::exists(*db))
        throw std::runtime_error(*db + ": no catalog yet (run `moodtune catalog import FILE.csv`)");
      Catalog cat(*db, true);
      CatalogStats s = cat.stats();
      std::cout << "catalog " << *db << "\n  tracks " << s.tracks << " (spotify " << s.spotify << ", local " << s.local
                << "), with valence/energy " << s.with_features << "\n  listeners " << s.listeners
                << ", history entries " << s.history << "\n  top genres:";
      for (const auto& [g, n] : s.top_genres) std::cout << " " << g << " " << n;
      std::cout << "\n  imports:\n";
      for (const auto& [f, n] : s.imports) std::cout << "    " << f << " (" << n << " tracks)\n";
      return 0;
    });
  });
  auto* list = cmd->add_subcommand("list", "Every track with where it sits in the mood plane (to check and correct)");
  auto list_json = std::make_shared<bool>(false);
  list->add_option("--db", *db, kDbHelp)->capture_default_str();
  list->add_flag("--json", *list_json, "JSON output (one array)");
  list->callback([db, list_json, &exit_code] {
    guarded(exit_code, [&] {
      if (!is_postgres_url(*db) && !fs::exists(*db))
        throw std::runtime_error(*db + ": no catalog yet (run `moodtune catalog import FILE.csv`)");
      Catalog cat(*db, true);
      const std::vector<Track> tracks = cat.all_tracks();
      json out = json::array();
      for (const Track& t : tracks) {
        const std::optional<VA> va = track_va(t);
        const bool corrected = t.valence_override && t.arousal_override;
        if (*list_json) {
          json j = {{"id", t.id},         {"title", t.title},
                    {"artist", t.artist}, {"source", t.source},
                    {"valence", va ? json(va->valence) : json(nullptr)},
                    {"arousal", va ? json(va->arousal) : json(nullptr)},
                    {"mood_from", corrected ? "correction" : va ? "features" : "unknown"}};
          if (!t.mood_label.empty()) j["mood_label"] = t.mood_label;
          out.push_back(j);
          continue;
        }
        char line[64];
        if (va)
          std::snprintf(line, sizeof line, "%+6.2f %+6.2f%s", va->valence, va->arousal, corrected ? " *" : "  ");
        else
          std::snprintf(line, sizeof line, "%15s", "unknown");
        std::cout << std::string(6 - std::min<size_t>(6, std::to_string(t.id).size()), ' ') << t.id << "  " << line
                  << "  " << (t.source == "local" ? "local  " : "spotify") << "  " << t.title << " — " << t.artist
                  << (t.mood_label.empty() ? "" : "  [" + t.mood_label + "]") << "\n";
      }
      if (*list_json)
        std::cout << out.dump(1) << "\n";
      else
        std::cout << tracks.size() << " tracks; columns: id, valence, arousal (* = your correction: `moodtune "
                                      "catalog mood`), source, title — artist [mood label]\n";
      return 0;
    });
  });
  auto* mood = cmd->add_subcommand("mood", "Correct a track's mood; the correction wins over the estimate");
  auto track = std::make_shared<int64_t>(0);
  auto va = std::make_shared<std::pair<double, double>>(0, 0);
  mood->add_option("--track", *track, "Track id")->required();
  mood->add_option("--valence", va->first, "Valence in [-1, 1]")->required();
  mood->add_option("--arousal", va->second, "Arousal in [-1, 1]")->required();
  mood->add_option("--db", *db, kDbHelp)->capture_default_str();
  mood->callback([db, track, va, &exit_code] {
    guarded(exit_code, [&] {
      open_catalog(*db)->set_track_mood(*track, va->first, va->second);
      std::cout << "track " << *track << ": mood set to valence " << va->first << ", arousal " << va->second << "\n";
      return 0;
    });
  });
}

void add_recommend_command(CLI::App& app, int& exit_code) {
  struct Opts {
    std::string emotion, probs, strategy = "match", user, db = default_db_path();
    int n = 10;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("recommend", "Tracks for an emotion (or a full probability vector)");
  auto* e = cmd->add_option("--emotion", o->emotion, "angry | disgust | fear | happy | neutral | sad | surprise");
  auto* pr = cmd->add_option("--probs", o->probs, "JSON probabilities, e.g. '{\"sad\":0.6,\"neutral\":0.4}'");
  e->excludes(pr);
  cmd->add_option("--strategy", o->strategy, "match | uplift | calm")->capture_default_str();
  cmd->add_option("-n", o->n, "List length")->capture_default_str();
  cmd->add_option("--user", o->user, "Listener (learned preferences, no repeats)");
  cmd->add_option("--db", o->db, kDbHelp)->capture_default_str();
  cmd->add_flag("--json", o->json, "JSON output");
  cmd->callback([o, &exit_code] {
    guarded(exit_code, [&] {
      if (o->emotion.empty() == o->probs.empty()) throw std::invalid_argument("give --emotion NAME or --probs JSON");
      auto strategy = parse_strategy(o->strategy);
      if (!strategy) throw std::invalid_argument("unknown strategy '" + o->strategy + "' (match, uplift, calm)");
      VA mood;
      std::string name;
      if (!o->emotion.empty()) {
        auto v = emotion_va(o->emotion);
        if (!v)
          throw std::invalid_argument("unknown emotion '" + o->emotion +
                                      "' (angry, disgust, fear, happy, neutral, sad, surprise)");
        mood = *v;
        name = o->emotion;
      } else {
        mood = mood_from_probs(parse_probs(o->probs), default_class_names());
      }
      if (!is_postgres_url(o->db) && !fs::exists(o->db))
        throw std::runtime_error(o->db + ": no catalog yet (run `moodtune catalog import FILE.csv`)");
      Catalog cat(o->db);
      Recommender rec(cat);
      RecommendParams rp;
      rp.strategy = *strategy;
      rp.n = o->n;
      rp.listener = o->user;
      rp.mood_name = name;
      auto list = rec.recommend(mood, rp);
      if (o->json) {
        json j = {{"mood", {{"valence", mood.valence}, {"arousal", mood.arousal}, {"nearest", nearest_emotion(mood)}}},
                  {"strategy", o->strategy},
                  {"tracks", json::array()}};
        for (const auto& r : list) {
          json t = track_json(r.track);
          t["valence"] = r.va.valence;
          t["arousal"] = r.va.arousal;
          t["reason"] = r.reason;
          j["tracks"].push_back(t);
        }
        std::cout << j.dump(2) << "\n";
      } else {
        for (size_t i = 0; i < list.size(); ++i)
          std::printf("%2zu. [%lld] %s — %s\n      %s\n", i + 1, static_cast<long long>(list[i].track.id),
                      list[i].track.artist.c_str(), list[i].track.title.c_str(), list[i].reason.c_str());
      }
      return 0;
    });
  });
}

void add_feedback_command(CLI::App& app, int& exit_code) {
  struct Opts {
    std::string user, db = default_db_path();
    int64_t track = 0;
    bool like = false, skip = false, played = false;
    std::string mood;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("feedback", "Tell moodtune what a listener thought of a track");
  cmd->add_option("--user", o->user, "Listener")->required();
  cmd->add_option("--track", o->track, "Track id")->required();
  auto* l = cmd->add_flag("--like", o->like);
  auto* s = cmd->add_flag("--skip", o->skip);
  auto* p = cmd->add_flag("--played", o->played);
  l->excludes(s)->excludes(p);
  s->excludes(p);
  cmd->add_option("--mood", o->mood, "The emotion the listener was in (kept only if they keep a mood history)");
  cmd->add_option("--db", o->db, kDbHelp)->capture_default_str();
  cmd->callback([o, &exit_code] {
    guarded(exit_code, [&] {
      if (!o->like && !o->skip && !o->played) throw std::invalid_argument("give one of --like, --skip, --played");
      if (!o->mood.empty() && emotion_index(o->mood) < 0) throw std::invalid_argument("unknown emotion '" + o->mood + "'");
      if (!is_postgres_url(o->db) && !fs::exists(o->db)) throw std::runtime_error(o->db + ": no catalog yet");
      Catalog cat(o->db);
      FeedbackAction a = o->like ? FeedbackAction::kLike : o->skip ? FeedbackAction::kSkip : FeedbackAction::kPlayed;
      cat.record_feedback(o->user, o->track, a, {}, o->mood);
      std::cout << "recorded: " << o->user << " " << action_name(a) << " track " << o->track << "\n";
      return 0;
    });
  });
}

}  // namespace moodtune::cli
