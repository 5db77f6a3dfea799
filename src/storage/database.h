// database.h — one SQL interface over the two stores moodtune supports:
// SQLite (a file path; the embedded default) and PostgreSQL (a
// postgresql:// URL; for several server instances sharing one catalog).
//
//   auto db = moodtune::open_database("moodtune.db");   // or "postgresql://host/db"
//   moodtune::Transaction tx(*db);
//   auto st = db->prepare("SELECT title FROM tracks WHERE id = $1");
//   st.bind(1, int64_t{42});
//   while (st.step()) std::cout << st.text(0);
//   tx.commit();
//
// SQL is written once in the subset both engines accept: `$1`..`$n`
// placeholders, INSERT ... ON CONFLICT, RETURNING, IS DISTINCT FROM. Only
// schema DDL differs per dialect (see catalog.cpp's migrations).
//
// Errors are exceptions: DbBusy for a conflict worth retrying at once (a
// PostgreSQL serialisation failure or deadlock; see retry_transient; a busy
// SQLite file has already waited out its busy timeout and is a DbError), DbUnavailable when the server cannot be
// reached (fail fast; the next call reconnects), DbError for everything else.
//
// A Database is one connection: not safe to share between threads without
// a lock. Use one per thread, or a CatalogPool.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

namespace moodtune {

struct DbError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct DbBusy : DbError {
  using DbError::DbError;
};
struct DbUnavailable : DbError {
  using DbError::DbError;
};

// How strictly a transaction is kept apart from concurrent ones.
// kSerializable (the default) suits read-then-write logic. kReadCommitted is
// for writes that commute (appends, additive upserts such as weight = weight
// + delta): on PostgreSQL, writers of the same hot row then queue on its row
// lock instead of failing with serialisation conflicts, which under enough
// contention starve a writer past any retry budget.
enum class Isolation { kSerializable, kReadCommitted };

enum class Dialect { kSqlite, kPostgres };

// What a backend implements for one prepared statement.
class StatementImpl {
 public:
  virtual ~StatementImpl() = default;
  virtual void bind_int(int i, int64_t v) = 0;
  virtual void bind_real(int i, double v) = 0;
  virtual void bind_text(int i, const std::string& v) = 0;
  virtual void bind_null(int i) = 0;
  virtual bool step() = 0;   // true while a row is available
  virtual void reset() = 0;  // for reuse; keeps bindings
  virtual int64_t int64(int col) const = 0;
  virtual double real(int col) const = 0;
  virtual std::string text(int col) const = 0;
  virtual bool is_null(int col) const = 0;
};

// A prepared statement; parameters are numbered from 1, columns from 0.
class Statement {
 public:
  explicit Statement(std::unique_ptr<StatementImpl> impl) : impl_(std::move(impl)) {}
  Statement& bind(int i, int64_t v) { return impl_->bind_int(i, v), *this; }
  Statement& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  Statement& bind(int i, double v) { return impl_->bind_real(i, v), *this; }
  Statement& bind(int i, const std::string& v) { return impl_->bind_text(i, v), *this; }
  Statement& bind(int i, const char* v) { return bind(i, std::string(v)); }
  Statement& bind_null(int i) { return impl_->bind_null(i), *this; }
  template <typename T>
  Statement& bind(int i, const std::optional<T>& v) {
    return v ? bind(i, *v) : bind_null(i);
  }

  bool step() { return impl_->step(); }
  void run() {  // step to completion (INSERT/UPDATE), ready for reuse
    while (step()) {
    }
    reset();
  }
  void reset() { impl_->reset(); }

  int64_t int64(int col) const { return impl_->int64(col); }
  double real(int col) const { return impl_->real(col); }
  std::string text(int col) const { return impl_->text(col); }
  bool is_null(int col) const { return impl_->is_null(col); }
  std::optional<double> opt_real(int col) const {
    if (is_null(col)) return std::nullopt;
    return real(col);
  }

 private:
  std::unique_ptr<StatementImpl> impl_;
};

class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;
  // The path or URL, without a password: for messages.
  virtual const std::string& name() const = 0;
  // One or more statements without parameters (DDL, PRAGMA).
  virtual void exec(const std::string& sql) = 0;
  virtual Statement prepare(const std::string& sql) = 0;
  // False when every write will fail (a SQLite file on a read-only file system).
  virtual bool writable() const { return true; }
  // Rows changed by the last INSERT/UPDATE/DELETE that ran to completion.
  virtual int64_t changes() const = 0;

  // SQLite: BEGIN IMMEDIATE whatever the isolation (it runs one writer at a
  // time anyway); PostgreSQL: the isolation asked for.
  virtual void begin(Isolation isolation) = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;

  // Schema version bookkeeping for migrations, and a lock that keeps two
  // processes from migrating the same database at once.
  virtual int schema_version() = 0;
  virtual void set_schema_version(int v) = 0;
  virtual void lock_schema() {}
  virtual void unlock_schema() noexcept {}
};

bool is_postgres_url(const std::string& location);
// A postgresql:// or postgres:// URL opens PostgreSQL; anything else is a
// SQLite file path (created unless read_only).
std::unique_ptr<Database> open_database(const std::string& location, bool read_only = false);

// The current UTC time as "YYYY-MM-DD HH:MM:SS", for timestamps written by
// both engines alike.
std::string utc_now_text();

// A random pause before retry `attempt` (1, 2, ...): up to 0.5 ms * 2^attempt, capped at 100 ms.
int64_t retry_pause_us(int attempt);

// BEGIN ... COMMIT, rolled back if destroyed before commit().
class Transaction {
 public:
  explicit Transaction(Database& db, Isolation isolation = Isolation::kSerializable) : db_(db) {
    db_.begin(isolation);
  }
  ~Transaction() {
    if (!done_) db_.rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    db_.commit();
    done_ = true;
  }

 private:
  Database& db_;
  bool done_ = false;
};

// Counts retries, for the server's metrics.
int64_t transient_retries();
void note_transient_retry();

// Runs `work` (which opens and commits its own Transaction) again when it
// fails with DbBusy, after a random pause that grows with each attempt (so
// writers that collided do not collide again in step); other errors pass
// through, and so does the last DbBusy.
template <typename F>
auto retry_transient(F&& work, int attempts = 12) {
  for (int i = 1;; ++i) {
    try {
      return work();
    } catch (const DbBusy&) {
      if (i >= attempts) throw;
      note_transient_retry();
      std::this_thread::sleep_for(std::chrono::microseconds(retry_pause_us(i)));
    }
  }
}

}  // namespace moodtune
