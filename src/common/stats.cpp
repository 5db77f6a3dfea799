#include "common/stats.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace moodtune {

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

Summary summarise(const std::vector<double>& s) {
  Summary r;
  r.n = s.size();
  if (s.empty()) return r;
  r.median = percentile(s, 0.5);
  r.p95 = percentile(s, 0.95);
  r.min = *std::min_element(s.begin(), s.end());
  r.max = *std::max_element(s.begin(), s.end());
  double sum = 0;
  for (double x : s) sum += x;
  r.mean = sum / static_cast<double>(s.size());
  double var = 0;
  for (double x : s) var += (x - r.mean) * (x - r.mean);
  r.stddev = s.size() > 1 ? std::sqrt(var / static_cast<double>(s.size() - 1)) : 0.0;
  return r;
}

nlohmann::json Summary::to_json(const char* u) const {
  const std::string suf(u);
  auto r3 = [](double x) { return std::round(x * 1000.0) / 1000.0; };
  return {{"median" + suf, r3(median)},
          {"p95" + suf, r3(p95)},
          {"mean" + suf, r3(mean)},
          {"stddev" + suf, r3(stddev)},
          {"min" + suf, r3(min)},
          {"max" + suf, r3(max)},
          {"n", n}};
}

}  // namespace moodtune
