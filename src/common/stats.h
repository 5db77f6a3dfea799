// stats.h — summary statistics of repeated measurements.
//
//   moodtune::Summary s = moodtune::summarise(samples_ms);
//   std::printf("median %.2f ms, p95 %.2f ms\n", s.median, s.p95);
#pragma once
#include <nlohmann/json.hpp>
#include <vector>

namespace moodtune {

struct Summary {
  size_t n = 0;
  double median = 0, p95 = 0, mean = 0, stddev = 0, min = 0, max = 0;
  nlohmann::json to_json(const char* unit_suffix = "_ms") const;  // {"median_ms":..,"p95_ms":..,...}
};

// Percentiles by linear interpolation between order statistics.
double percentile(std::vector<double> v, double q);
Summary summarise(const std::vector<double>& samples);

}  // namespace moodtune
