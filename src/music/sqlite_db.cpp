#include "music/sqlite_db.h"

namespace moodtune {

namespace {
[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw DbError(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}
}  // namespace

Statement::Statement(sqlite3* db, const std::string& sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st_, nullptr) != SQLITE_OK) fail(db, "SQL error in '" + sql.substr(0, 60) + "'");
}
Statement::~Statement() { sqlite3_finalize(st_); }

Statement& Statement::bind(int i, int64_t v) {
  if (sqlite3_bind_int64(st_, i, v) != SQLITE_OK) fail(db_, "bind");
  return *this;
}
Statement& Statement::bind(int i, double v) {
  if (sqlite3_bind_double(st_, i, v) != SQLITE_OK) fail(db_, "bind");
  return *this;
}
Statement& Statement::bind(int i, const std::string& v) {
  if (sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK) fail(db_, "bind");
  return *this;
}
Statement& Statement::bind_null(int i) {
  if (sqlite3_bind_null(st_, i) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, "database step failed");
}
void Statement::run() {
  while (step()) {
  }
  reset();
}
void Statement::reset() { sqlite3_reset(st_); }

int64_t Statement::int64(int c) const { return sqlite3_column_int64(st_, c); }
double Statement::real(int c) const { return sqlite3_column_double(st_, c); }
std::string Statement::text(int c) const {
  const unsigned char* t = sqlite3_column_text(st_, c);
  return t ? reinterpret_cast<const char*>(t) : "";
}
bool Statement::is_null(int c) const { return sqlite3_column_type(st_, c) == SQLITE_NULL; }
std::optional<double> Statement::opt_real(int c) const {
  if (is_null(c)) return std::nullopt;
  return real(c);
}

SqliteDb::SqliteDb(const std::string& path, bool read_only) : path_(path) {
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw DbError(path + ": cannot open database: " + msg);
  }
  sqlite3_busy_timeout(db_, 5000);
  try {
    exec("PRAGMA foreign_keys = ON");
    if (!read_only) exec("PRAGMA journal_mode = WAL");
    // Fails fast on a file that is not a database (or is corrupt).
    exec("SELECT count(*) FROM sqlite_master");
  } catch (const DbError& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw DbError(path + ": not a usable SQLite database (" + e.what() + ")");
  }
}

SqliteDb::~SqliteDb() { sqlite3_close(db_); }

void SqliteDb::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    throw DbError(msg);
  }
}

Transaction::Transaction(SqliteDb& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
    }
  }
}
void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace moodtune
