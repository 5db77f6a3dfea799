// bench_table.h — internal to the benchmarks: printf-style rows to a
// benchmark's table, or nowhere when it has none.
#pragma once
#include <chrono>
#include <cstdio>

namespace moodtune::bench_detail {

void table_row(std::FILE* table, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

using Clock = std::chrono::steady_clock;
inline double ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace moodtune::bench_detail
