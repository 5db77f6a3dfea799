#include "storage/sqlite_db.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <thread>

namespace moodtune {

namespace {
[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  // A busy file has already waited out the busy timeout: report it rather
  // than retry (DbBusy is for conflicts that a retry resolves at once).
  throw DbError(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

class SqliteStatement : public StatementImpl {
 public:
  SqliteStatement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st_, nullptr) != SQLITE_OK)
      fail(db, "SQL error in '" + sql.substr(0, 60) + "'");
  }
  ~SqliteStatement() override { sqlite3_finalize(st_); }

  // Portable SQL numbers its parameters $1..$n; SQLite treats "$1" as a
  // name whose index is its order of first appearance, so look it up.
  int index(int i) const {
    const int named = sqlite3_bind_parameter_index(st_, ("$" + std::to_string(i)).c_str());
    return named > 0 ? named : i;
  }
  void check(int rc) const {
    if (rc != SQLITE_OK) fail(db_, "bind");
  }
  void bind_int(int i, int64_t v) override { check(sqlite3_bind_int64(st_, index(i), v)); }
  void bind_real(int i, double v) override { check(sqlite3_bind_double(st_, index(i), v)); }
  void bind_text(int i, const std::string& v) override {
    check(sqlite3_bind_text(st_, index(i), v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  void bind_null(int i) override { check(sqlite3_bind_null(st_, index(i))); }

  bool step() override {
    const int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, "database step failed");
  }
  void reset() override { sqlite3_reset(st_); }

  int64_t int64(int c) const override { return sqlite3_column_int64(st_, c); }
  double real(int c) const override { return sqlite3_column_double(st_, c); }
  std::string text(int c) const override {
    const unsigned char* t = sqlite3_column_text(st_, c);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  bool is_null(int c) const override { return sqlite3_column_type(st_, c) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
};
}  // namespace

namespace {
bool on_read_only_file_system(const std::string& path) {
  struct statvfs fs {};
  return ::access(path.c_str(), F_OK) == 0 && ::statvfs(path.c_str(), &fs) == 0 && (fs.f_flag & ST_RDONLY);
}

// file: URI for a path (SQLite gives '?', '#' and '%' meaning in URIs).
std::string file_uri(const std::string& path) {
  std::string uri = "file:";
  for (char c : path) {
    if (c == '%')
      uri += "%25";
    else if (c == '?')
      uri += "%3f";
    else if (c == '#')
      uri += "%23";
    else
      uri += c;
  }
  return uri;
}
}  // namespace

SqliteDb::SqliteDb(const std::string& path, bool read_only) : path_(path) {
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  std::string target = path;
  // A catalog on a read-only file system (read-only media, a read-only
  // root) still serves reads: SQLite cannot keep its WAL index there, and
  // nothing can change the file, so it is opened immutable. Writes then
  // fail with "attempt to write a readonly database".
  if (on_read_only_file_system(path)) {
    read_only = true;
    read_only_fs_ = true;
    flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
    target = file_uri(path) + "?immutable=1";
  }
  if (sqlite3_open_v2(target.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw DbError(path + ": cannot open database: " + msg);
  }
  sqlite3_busy_timeout(db_, 5000);
  try {
    exec("PRAGMA foreign_keys = ON");
    // Switching a new file to WAL does not wait on the busy handler: when
    // several processes open a new database at once, try again briefly.
    for (int attempt = 0; !read_only; ++attempt) {
      try {
        exec("PRAGMA journal_mode = WAL");
        break;
      } catch (const DbError&) {
        if (sqlite3_errcode(db_) != SQLITE_BUSY || attempt >= 100) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
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

Statement SqliteDb::prepare(const std::string& sql) { return Statement(std::make_unique<SqliteStatement>(db_, sql)); }

void SqliteDb::rollback() noexcept {
  // Fails harmlessly when SQLite already rolled back (for example after
  // SQLITE_FULL); nothing else can be done from a destructor.
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

int SqliteDb::schema_version() {
  auto st = prepare("PRAGMA user_version");
  st.step();
  return static_cast<int>(st.int64(0));
}

void SqliteDb::set_schema_version(int v) { exec("PRAGMA user_version = " + std::to_string(v)); }

}  // namespace moodtune
