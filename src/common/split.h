// split.h — the comma lists the command line and files use (ensembles of
// models "a.mtm,b.mtm", exportify's "genres" column), and the lists that
// messages show ("known: angry, disgust, ...").
//
//   for (const std::string& f : moodtune::split("a.mtm,b.mtm", ',')) load(f);
//   std::string known = moodtune::join(names, ", ");
//
// Every item is kept as written, empty ones included ("a,,b" gives three,
// "" gives one empty item): callers decide what an empty item means, and
// join() is its inverse (join(split(t, ','), ",") == t).
// Pure functions; thread-safe.
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

inline std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string text;
  for (size_t i = 0; i < items.size(); ++i) text += (i ? sep : std::string()) + items[i];
  return text;
}

}  // namespace moodtune
