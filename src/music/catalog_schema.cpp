#include "music/catalog_schema.h"

#include <iterator>

#include "catalog_schema_sql.h"

namespace moodtune {

static_assert(std::size(kCatalogMigrations) == kCatalogSchemaVersion,
              "kCatalogSchemaVersion must equal the number of src/music/schema/vN.*.sql pairs");

void migrate_catalog(Database& db) {
  auto check = [&](int version) {
    if (version > kCatalogSchemaVersion)
      throw DbError(db.name() + ": database schema version " + std::to_string(version) + " is newer than this build (" +
                    std::to_string(kCatalogSchemaVersion) + "); upgrade moodtune");
    return version == kCatalogSchemaVersion;
  };
  db.lock_schema();
  struct Unlock {
    Database& db;
    ~Unlock() { db.unlock_schema(); }
  } unlock{db};
  if (check(db.schema_version())) return;  // the usual case: no write lock needed
  // The version is read again inside each transaction: another process may
  // have migrated between our read and our lock (SQLite has no lock_schema).
  for (;;) {
    Transaction tx(db);
    const int v = db.schema_version();
    if (check(v)) return;
    const SchemaMigration& m = kCatalogMigrations[v];
    db.exec(db.dialect() == Dialect::kPostgres ? m.postgres : m.sqlite);
    db.set_schema_version(v + 1);
    tx.commit();
  }
}

}  // namespace moodtune
