#include "common/home_path.h"

#include <cstdlib>
#include <vector>

#include "common/split.h"

namespace moodtune {
namespace {

std::string home_folder() {
  const char* h = std::getenv("HOME");
  std::string home = h ? h : "";
  while (home.size() > 1 && home.back() == '/') home.pop_back();
  return home == "/" ? std::string() : home;
}

template <typename Fn>
std::string each_item(const std::string& paths, Fn fn) {
  std::vector<std::string> items = split(paths, ',');
  for (std::string& item : items) item = fn(item);
  return join(items, ",");
}

}  // namespace

std::string tilde_home(const std::string& paths) {
  const std::string home = home_folder();
  if (home.empty()) return paths;
  return each_item(paths, [&](const std::string& p) {
    if (p == home) return std::string("~");
    if (p.size() > home.size() && p.compare(0, home.size(), home) == 0 && p[home.size()] == '/')
      return "~" + p.substr(home.size());
    return p;
  });
}

std::string expand_home(const std::string& paths) {
  const std::string home = home_folder();
  if (home.empty()) return paths;
  return each_item(paths, [&](const std::string& p) {
    if (p == "~") return home;
    if (p.size() > 1 && p[0] == '~' && p[1] == '/') return home + p.substr(1);
    return p;
  });
}

}  // namespace moodtune
