#include "storage/database.h"

#include <algorithm>
#include <atomic>
#include <ctime>
#include <random>

#include "storage/postgres_db.h"
#include "storage/sqlite_db.h"

namespace moodtune {

bool is_postgres_url(const std::string& location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

std::unique_ptr<Database> open_database(const std::string& location, bool read_only) {
  if (is_postgres_url(location)) return std::make_unique<PostgresDb>(location, read_only);
  return std::make_unique<SqliteDb>(location, read_only);
}

std::string utc_now_text() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

namespace {
std::atomic<int64_t> g_retries{0};
}

int64_t transient_retries() { return g_retries.load(); }
void note_transient_retry() { ++g_retries; }

int64_t retry_pause_us(int attempt) {
  thread_local std::mt19937 rng(std::random_device{}());
  const int64_t cap = std::min<int64_t>(100000, int64_t{500} << std::min(attempt, 10));
  return std::uniform_int_distribution<int64_t>(cap / 4, cap)(rng);
}

}  // namespace moodtune
