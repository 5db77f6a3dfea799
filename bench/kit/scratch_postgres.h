// scratch_postgres.h — a throwaway PostgreSQL server for tests and
// benchmarks: a fresh cluster (initdb) in a temporary folder, on a free
// loopback port, trusting local connections, removed on destruction.
//
//   moodtune::ScratchPostgres pg;                      // initdb + start
//   std::string url = pg.fresh_database("bench");      // postgresql://...
//   moodtune::Catalog cat(url);
//
// Needs Debian's `postgresql` package. As root the server runs as the
// `postgres` user (PostgreSQL refuses to run as root). Not for real data:
// fsync is off. Not thread-safe except fresh_database.
#pragma once
#include <filesystem>
#include <string>

namespace moodtune {

class ScratchPostgres {
 public:
  ScratchPostgres();  // throws std::runtime_error when it cannot start
  ~ScratchPostgres();
  ScratchPostgres(const ScratchPostgres&) = delete;
  ScratchPostgres& operator=(const ScratchPostgres&) = delete;

  // A new, empty database: its postgresql:// URL.
  std::string fresh_database(const std::string& prefix);
  std::string url(const std::string& database) const;
  int port() const { return port_; }

  // Take the server away and bring it back (same port and data), for fault tests.
  void stop();
  void start();

  static int free_port();  // a loopback TCP port nobody listens on now

 private:
  void as_owner(const std::string& cmd) const;
  std::string bin_;
  std::filesystem::path dir_;
  int port_ = 0;
};

}  // namespace moodtune
