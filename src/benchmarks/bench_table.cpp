#include "benchmarks/bench_table.h"

#include <cstdarg>

namespace moodtune::bench_detail {

void table_row(std::FILE* table, const char* fmt, ...) {
  if (!table) return;
  va_list args;
  va_start(args, fmt);
  std::vfprintf(table, fmt, args);
  va_end(args);
  std::fflush(table);
}

}  // namespace moodtune::bench_detail
