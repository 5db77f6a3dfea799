// split.h — the comma lists the command line and files use (ensembles of
// models "a.mtm,b.mtm", exportify's "genres" column).
//
//   for (const std::string& f : moodtune::split("a.mtm,b.mtm", ',')) load(f);
//
// Every item is kept as written, empty ones included ("a,,b" gives three,
// "" gives one empty item): callers decide what an empty item means.
// Pure function; thread-safe.
#pragma once
#include <string>
#include <vector>

namespace moodtune {

inline std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> items;
  for (size_t start = 0;;) {
    const size_t end = text.find(sep, start);
    items.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return items;
    start = end + 1;
  }
}

}  // namespace moodtune
