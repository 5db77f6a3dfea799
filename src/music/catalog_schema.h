// catalog_schema.h — the catalog's tables, as numbered migrations that take
// a database from one schema version to the next.
//
//   auto db = moodtune::open_database("moodtune.db", false);
//   moodtune::migrate_catalog(*db);        // now at kCatalogSchemaVersion
//
// The SQL itself lives in src/music/schema/vN.{sqlite,postgres}.sql: both
// stores get the same tables, columns, keys and constraints; the DDL
// differs only where the dialects do (identity columns, REAL vs DOUBLE
// PRECISION, trigger syntax, default timestamps). To change the schema, add
// the next pair of files and bump kCatalogSchemaVersion.
#pragma once
#include "storage/database.h"

namespace moodtune {

inline constexpr int kCatalogSchemaVersion = 5;

// Migration i takes the schema from version i to i + 1.
struct SchemaMigration {
  const char* sqlite;
  const char* postgres;
};

// Applies the missing migrations in order, each in its own transaction,
// under the database's schema lock, so two processes starting at once do
// not both migrate. Throws DbError when the database is newer than this
// build (an older moodtune must not write to it).
void migrate_catalog(Database& db);

}  // namespace moodtune
