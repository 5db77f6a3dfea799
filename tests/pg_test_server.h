// pg_test_server.h — the real PostgreSQL server the tests share: one
// ScratchPostgres per test program, started on first use and removed when
// the program exits.
//
//   std::string url = moodtune::test::PgTestServer::get().fresh_database("catalog");
//
// A missing server is a test failure, not a skip (scripts/setup.sh
// installs Debian's postgresql package).
#pragma once
#include "kit/scratch_postgres.h"

namespace moodtune::test {

struct PgTestServer {
  static ScratchPostgres& get() {
    static ScratchPostgres server;
    return server;
  }
  static int free_port() { return ScratchPostgres::free_port(); }
};

}  // namespace moodtune::test
