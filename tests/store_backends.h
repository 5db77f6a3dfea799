// store_backends.h — the two stores every storage test runs against: a
// SQLite file and a real PostgreSQL server (a fresh database per call).
//
//   class Import : public moodtune::test::StoreTest {};
//   TEST_P(Import, Works) { moodtune::Catalog cat(location("import")); ... }
//   MOODTUNE_ON_BOTH_STORES(Import);
#pragma once
#include "pg_test_server.h"
#include "test_support.h"

namespace moodtune::test {

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  bool postgres() const { return GetParam() == "postgresql"; }
  // A new, empty catalog location: a file path, or a postgresql:// URL.
  std::string location(const std::string& name) {
    if (postgres()) return PgTestServer::get().fresh_database(name);
    return (temp_dir(name + "-" + GetParam()) / "c.db").string();
  }
};

}  // namespace moodtune::test

#define MOODTUNE_ON_BOTH_STORES(Suite)                                                 \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite, ::testing::Values("sqlite", "postgresql"), \
                           [](const auto& info) { return info.param; })
