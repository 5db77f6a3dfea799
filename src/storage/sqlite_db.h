// sqlite_db.h — the SQLite store: one connection to a database file, with
// foreign keys on, the WAL journal, and a busy timeout so concurrent writers
// wait instead of failing.
//
//   moodtune::SqliteDb db("catalog.db");
//   auto st = db.prepare("SELECT title FROM tracks WHERE id = $1");
//   st.bind(1, 42);
//   while (st.step()) std::cout << st.text(0);
//
// A connection is not safe to share between threads; open one per thread
// (SQLite serialises writers; WAL lets readers run beside a writer).
#pragma once
#include <sqlite3.h>

#include "storage/database.h"

namespace moodtune {

class SqliteDb : public Database {
 public:
  explicit SqliteDb(const std::string& path, bool read_only = false);
  ~SqliteDb() override;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  Dialect dialect() const override { return Dialect::kSqlite; }
  const std::string& name() const override { return path_; }
  void exec(const std::string& sql) override;
  Statement prepare(const std::string& sql) override;
  int64_t changes() const override { return sqlite3_changes(db_); }
  bool writable() const override { return !read_only_fs_; }
  void begin(Isolation) override { exec("BEGIN IMMEDIATE"); }
  void commit() override { exec("COMMIT"); }
  void rollback() noexcept override;
  int schema_version() override;
  void set_schema_version(int v) override;
  sqlite3* handle() { return db_; }
  // True when the file lies on a read-only file system and was opened
  // read-only (immutable) for that reason.
  bool read_only_file_system() const { return read_only_fs_; }

 private:
  bool read_only_fs_ = false;
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace moodtune
