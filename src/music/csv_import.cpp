#include "music/csv_import.h"

#include <csv.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

#include "common/split.h"

namespace moodtune {
namespace {

// Canonical field -> header name, per format.
using Columns = std::map<std::string, std::string>;
const std::map<std::string, Columns>& formats() {
  static const std::map<std::string, Columns> f = {
      {"spotify",
       {{"id", "track_id"},
        {"title", "track_name"},
        {"artist", "track_artist"},
        {"album", "track_album_name"},
        {"popularity", "track_popularity"},
        {"genre", "playlist_genre"},
        {"subgenre", "playlist_subgenre"},
        {"danceability", "danceability"},
        {"energy", "energy"},
        {"key", "key"},
        {"loudness", "loudness"},
        {"mode", "mode"},
        {"speechiness", "speechiness"},
        {"acousticness", "acousticness"},
        {"instrumentalness", "instrumentalness"},
        {"liveness", "liveness"},
        {"valence", "valence"},
        {"tempo", "tempo"},
        {"duration_ms", "duration_ms"}}},
      {"moods",
       {{"id", "id"},
        {"title", "name"},
        {"artist", "artist"},
        {"album", "album"},
        {"popularity", "popularity"},
        {"duration_ms", "length"},
        {"danceability", "danceability"},
        {"acousticness", "acousticness"},
        {"energy", "energy"},
        {"instrumentalness", "instrumentalness"},
        {"liveness", "liveness"},
        {"valence", "valence"},
        {"loudness", "loudness"},
        {"speechiness", "speechiness"},
        {"tempo", "tempo"},
        {"key", "key"},
        {"mood", "mood"}}},
      {"exportify",
       {{"id", "Track URI"},
        {"title", "Track Name"},
        {"artist", "Artist Name(s)"},
        {"album", "Album Name"},
        {"popularity", "Popularity"},
        {"duration_ms", "Duration (ms)"},
        {"genres", "Genres"},
        {"danceability", "Danceability"},
        {"energy", "Energy"},
        {"key", "Key"},
        {"loudness", "Loudness"},
        {"mode", "Mode"},
        {"speechiness", "Speechiness"},
        {"acousticness", "Acousticness"},
        {"instrumentalness", "Instrumentalness"},
        {"liveness", "Liveness"},
        {"valence", "Valence"},
        {"tempo", "Tempo"}}},
  };
  return f;
}

struct Parser {
  std::vector<std::string> fields;
  std::vector<std::vector<std::string>> records;
  std::vector<int64_t> record_lines;
  int64_t line = 0, record_start = 0;
};

void on_field(void* data, size_t len, void* p) {
  auto* ps = static_cast<Parser*>(p);
  if (ps->fields.empty()) ps->record_start = ps->line;
  ps->fields.emplace_back(static_cast<const char*>(data), len);
}
void on_record(int, void* p) {
  auto* ps = static_cast<Parser*>(p);
  ps->records.push_back(std::move(ps->fields));
  ps->record_lines.push_back(ps->record_start);
  ps->fields.clear();
}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r\xEF\xBB\xBF"), b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

bool parse_number(const std::string& s, double& out) {
  std::string t = trim(s);
  if (t.empty()) return false;
  char* end = nullptr;
  out = std::strtod(t.c_str(), &end);
  return *end == '\0' && std::isfinite(out);
}

std::string detect_format(const std::set<std::string>& header) {
  for (const auto& [name, cols] : formats()) {
    if (header.count(cols.at("id")) && header.count(cols.at("title")) && header.count(cols.at("artist"))) return name;
  }
  return "";
}
}  // namespace

ImportReport import_csv(Catalog& catalog, const std::string& path, const std::string& format) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open CSV file");
  Parser ps;
  csv_parser p;
  if (csv_init(&p, CSV_APPEND_NULL) != 0) throw std::runtime_error("libcsv init failed");
  std::string buf;
  // Fed line by line so each record knows the line it started on (records
  // with embedded newlines span several lines).
  while (std::getline(in, buf)) {
    ++ps.line;
    buf.push_back('\n');
    if (csv_parse(&p, buf.data(), buf.size(), on_field, on_record, &ps) != buf.size()) {
      std::string err = csv_strerror(csv_error(&p));
      csv_free(&p);
      throw std::runtime_error(path + ":" + std::to_string(ps.line) + ": CSV syntax error: " + err);
    }
  }
  csv_fini(&p, on_field, on_record, &ps);
  csv_free(&p);
  if (ps.records.empty()) throw std::runtime_error(path + ": empty CSV file (no header)");

  std::map<std::string, size_t> col;
  std::set<std::string> names;
  for (size_t i = 0; i < ps.records[0].size(); ++i) {
    std::string h = trim(ps.records[0][i]);
    col[h] = i;
    names.insert(h);
  }
  ImportReport rep;
  rep.format = format == "auto" ? detect_format(names) : format;
  if (rep.format.empty() || !formats().count(rep.format))
    throw std::runtime_error(
        path +
        ":1: header matches no known format (spotify: track_id,track_name,track_artist,...; "
        "moods: name,artist,id,...,mood; exportify: \"Track URI\",\"Track Name\",\"Artist Name(s)\",...)");
  const Columns& cols = formats().at(rep.format);
  for (const char* need : {"id", "title", "artist"})
    if (!col.count(cols.at(need))) throw std::runtime_error(path + ":1: missing column '" + cols.at(need) + "'");

  // Merge rows of the same track (one per playlist) before writing.
  std::map<std::string, Track> tracks;
  std::vector<std::string> order;
  for (size_t r = 1; r < ps.records.size(); ++r) {
    const auto& rec = ps.records[r];
    const std::string where = path + ":" + std::to_string(ps.record_lines[r]);
    if (rec.size() == 1 && trim(rec[0]).empty()) continue;  // blank line
    ++rep.rows;
    if (rec.size() != ps.records[0].size()) {
      rep.problems.push_back(where + ": expected " + std::to_string(ps.records[0].size()) + " fields, found " +
                             std::to_string(rec.size()));
      continue;
    }
    auto get = [&](const std::string& field) -> std::string {
      auto c = cols.find(field);
      if (c == cols.end()) return "";
      auto i = col.find(c->second);
      return i == col.end() ? "" : trim(rec[i->second]);
    };
    Track t;
    t.source = "spotify";
    t.external_id = get("id");
    if (t.external_id.rfind("spotify:track:", 0) == 0) t.external_id = t.external_id.substr(14);
    t.title = get("title");
    t.artist = get("artist");
    t.album = get("album");
    if (t.external_id.empty() || t.title.empty() || t.artist.empty()) {
      rep.problems.push_back(where + ": missing " +
                             std::string(t.external_id.empty() ? "track id"
                                         : t.title.empty()     ? "track name"
                                                               : "artist"));
      continue;
    }
    std::string bad;
    auto num = [&](const std::string& field, std::optional<double>& out, double lo, double hi) {
      std::string v = get(field);
      if (v.empty()) return;
      double d;
      if (!parse_number(v, d))
        bad = field + " '" + v + "' is not a number";
      else if (d < lo || d > hi)
        bad = field + " " + v + " is outside [" + std::to_string(lo).substr(0, 5) + ", " +
              std::to_string(hi).substr(0, 5) + "]";
      else
        out = d;
    };
    num("valence", t.valence, 0, 1);
    num("energy", t.energy, 0, 1);
    num("danceability", t.danceability, 0, 1);
    num("acousticness", t.acousticness, 0, 1);
    num("instrumentalness", t.instrumentalness, 0, 1);
    num("speechiness", t.speechiness, 0, 1);
    num("liveness", t.liveness, 0, 1);
    num("tempo", t.tempo, 0, 400);
    num("loudness", t.loudness, -100, 10);
    std::optional<double> key, mode, dur, pop;
    num("key", key, -1, 11);
    num("mode", mode, 0, 1);
    num("duration_ms", dur, 0, 1e8);
    num("popularity", pop, 0, 100);
    if (!bad.empty()) {
      rep.problems.push_back(where + ": " + bad);
      continue;
    }
    if (key) t.key = static_cast<int>(*key);
    if (mode) t.mode = static_cast<int>(*mode);
    if (dur) t.duration_ms = static_cast<int64_t>(*dur);
    if (pop) t.popularity = static_cast<int>(*pop);
    t.mood_label = get("mood");
    for (const char* g : {"genre", "subgenre"})
      if (!get(g).empty()) t.genres.push_back(get(g));
    for (const std::string& item : split(get("genres"), ','))  // exportify: comma-separated
      if (std::string g = trim(item); !g.empty()) t.genres.push_back(g);
    auto it = tracks.find(t.external_id);
    if (it == tracks.end()) {
      order.push_back(t.external_id);
      tracks.emplace(t.external_id, std::move(t));
    } else {
      for (auto& g : t.genres)
        if (std::find(it->second.genres.begin(), it->second.genres.end(), g) == it->second.genres.end())
          it->second.genres.push_back(g);
    }
  }
  Transaction tx = catalog.transaction();
  for (const auto& id : order) {
    auto r = catalog.upsert_track(tracks.at(id));
    if (r.inserted)
      ++rep.inserted;
    else if (r.changed)
      ++rep.updated;
    else
      ++rep.unchanged;
  }
  catalog.record_import(std::filesystem::weakly_canonical(path).string(), rep.rows, static_cast<int64_t>(order.size()));
  tx.commit();
  return rep;
}

}  // namespace moodtune
