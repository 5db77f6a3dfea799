// csv_import.h — Spotify-style CSVs into the catalog.
//
//   moodtune::ImportReport r = moodtune::import_csv(catalog, "spotify_songs.csv");
//   std::cout << r.inserted << " new, " << r.updated << " updated\n";
//   for (auto& p : r.problems) std::cerr << p << "\n";   // "file:LINE: why"
//
// Formats (auto-detected from the header, or forced): "spotify" (TidyTuesday
// spotify_songs.csv: one row per playlist a track is in; rows are merged by
// track_id and every playlist genre and subgenre kept), "moods"
// (data_moods.csv, with a mood label), "exportify" (Spotify playlist exporters:
// "Track URI", "Track Name", "Artist Name(s)", "Valence", "Energy", ...).
// Parsing is RFC 4180 by libcsv (quotes, embedded commas and newlines). Bad
// rows are reported and skipped; the rest imports. The whole file is one
// transaction, so an interrupted import leaves the catalog as it was and is
// not listed as imported. Re-importing an unchanged file changes nothing.
#pragma once
#include <string>
#include <vector>

#include "music/catalog.h"

namespace moodtune {

struct ImportReport {
  std::string format;
  int64_t rows = 0;  // data rows read
  int64_t inserted = 0, updated = 0, unchanged = 0;
  std::vector<std::string> problems;
};

// format: "auto" | "spotify" | "moods" | "exportify". Throws std::runtime_error
// when the file cannot be read or its header matches no format.
ImportReport import_csv(Catalog& catalog, const std::string& path, const std::string& format = "auto");

}  // namespace moodtune
