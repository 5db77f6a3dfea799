// postgres_db.h — the PostgreSQL store (libpqxx): one connection, opened
// from a postgresql:// URL, that reconnects on the next call after the
// server went away.
//
//   moodtune::PostgresDb db("postgresql://moodtune@127.0.0.1:5432/moodtune");
//   auto st = db.prepare("SELECT count(*) FROM tracks");
//   st.step();  std::cout << st.int64(0);
//
// Transactions run at SERIALIZABLE isolation unless they ask for less
// (Isolation::kReadCommitted, for commuting writes), so concurrent instances
// cannot interleave into a state no serial order would give; a conflict
// surfaces as DbBusy for retry_transient to repeat. A lost server surfaces
// as DbUnavailable at once (connect_timeout defaults to 3 s, and after a
// failed connect the next attempt waits half a second), so requests fail
// fast instead of piling up. Not safe to share between threads.
#pragma once
#include <memory>

#include "storage/database.h"

namespace moodtune {

class PostgresDb : public Database {
 public:
  // Connects now: an unreachable server or a bad URL throws DbUnavailable
  // with libpq's reason.
  // read_only: every transaction of this connection is read-only
  // (default_transaction_read_only), so a reader cannot write by mistake.
  explicit PostgresDb(const std::string& url, bool read_only = false);
  ~PostgresDb() override;

  Dialect dialect() const override { return Dialect::kPostgres; }
  const std::string& name() const override { return name_; }
  void exec(const std::string& sql) override;
  Statement prepare(const std::string& sql) override;
  int64_t changes() const override { return changes_; }
  void begin(Isolation isolation) override;
  void commit() override;
  void rollback() noexcept override;
  int schema_version() override;
  void set_schema_version(int v) override;
  void lock_schema() override;
  void unlock_schema() noexcept override;

  struct Impl;  // libpqxx's connection and transaction, kept out of this header

 private:
  std::unique_ptr<Impl> impl_;
  std::string name_;
  int64_t changes_ = 0;
};

}  // namespace moodtune
