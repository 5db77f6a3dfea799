#include "storage/postgres_db.h"

#include <pqxx/pqxx>

#include <cstdlib>
#include <unordered_map>
#include <vector>

namespace moodtune {

namespace {
constexpr long kSchemaLockKey = 7274163;  // any constant shared by all moodtune processes

// postgresql://user:secret@host/db -> postgresql://user@host/db
std::string without_password(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return url;
  const size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + url.substr(at);
}

std::string with_connect_timeout(const std::string& url) {
  if (url.find("connect_timeout=") != std::string::npos) return url;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=3";
}

}  // namespace

struct PostgresDb::Impl {
  std::string url, name;
  std::unique_ptr<pqxx::connection> conn;
  std::unique_ptr<pqxx::transaction_base> tx;
  std::string last_error;
  std::chrono::steady_clock::time_point next_attempt{};
  int64_t* changes = nullptr;
  bool read_only = false;
  // SQL text -> name of its server-side prepared statement on this
  // connection: parsed and planned once, not on every call.
  std::unordered_map<std::string, std::string> prepared;

  void drop_connection() {
    tx.reset();
    conn.reset();
    prepared.clear();
  }
  const std::string& prepared_name(const std::string& sql) {
    auto it = prepared.find(sql);
    if (it != prepared.end()) return it->second;
    std::string name = "mt" + std::to_string(prepared.size());
    conn->prepare(name, sql);
    return prepared.emplace(sql, std::move(name)).first->second;
  }

  void connect();
  [[noreturn]] void rethrow(const std::string& sql);
  // One parameterised statement (nullptr = SQL NULL).
  pqxx::result run(const std::string& sql, const std::vector<const char*>& params);
  void exec(const std::string& sql);
};

namespace {
class PostgresStatement : public StatementImpl {
 public:
  PostgresStatement(PostgresDb::Impl& db, std::string sql) : db_(db), sql_(std::move(sql)) {}

  void set(int i, std::optional<std::string> v) {
    if (i < 1 || i > 1000) throw DbError("parameter index out of range: " + std::to_string(i));
    if (params_.size() < static_cast<size_t>(i)) params_.resize(static_cast<size_t>(i));
    params_[static_cast<size_t>(i - 1)] = std::move(v);
  }
  void bind_int(int i, int64_t v) override { set(i, std::to_string(v)); }
  void bind_real(int i, double v) override {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    set(i, std::string(buf));
  }
  void bind_text(int i, const std::string& v) override { set(i, v); }
  void bind_null(int i) override { set(i, std::nullopt); }

  bool step() override {
    if (!executed_) {
      std::vector<const char*> ptrs;
      for (const auto& p : params_) ptrs.push_back(p ? p->c_str() : nullptr);
      result_ = db_.run(sql_, ptrs);
      executed_ = true;
      row_ = 0;
    } else {
      ++row_;
    }
    return row_ < result_.size();
  }
  void reset() override { executed_ = false; }

  const pqxx::field field(int c) const {
    if (!executed_ || row_ >= result_.size()) throw DbError("no current row");
    return result_[static_cast<pqxx::result::size_type>(row_)][c];
  }
  int64_t int64(int c) const override {
    auto f = field(c);
    return f.is_null() ? 0 : std::strtoll(f.c_str(), nullptr, 10);
  }
  double real(int c) const override {
    auto f = field(c);
    return f.is_null() ? 0.0 : std::strtod(f.c_str(), nullptr);
  }
  std::string text(int c) const override {
    auto f = field(c);
    return f.is_null() ? std::string() : std::string(f.c_str(), f.size());
  }
  bool is_null(int c) const override { return field(c).is_null(); }

 private:
  PostgresDb::Impl& db_;
  std::string sql_;
  std::vector<std::optional<std::string>> params_;
  pqxx::result result_;
  bool executed_ = false;
  size_t row_ = 0;
};
}  // namespace

PostgresDb::PostgresDb(const std::string& url, bool read_only)
    : impl_(std::make_unique<Impl>()), name_(without_password(url)) {
  impl_->url = with_connect_timeout(url);
  impl_->read_only = read_only;
  impl_->name = name_;
  impl_->changes = &changes_;
  impl_->connect();
}

PostgresDb::~PostgresDb() {
  impl_->tx.reset();
  impl_->conn.reset();
}

void PostgresDb::Impl::connect() {
  if (conn) return;
  if (std::chrono::steady_clock::now() < next_attempt)
    throw DbUnavailable("PostgreSQL at " + name + " is unreachable: " + last_error);
  try {
    conn = std::make_unique<pqxx::connection>(url);
    if (read_only) pqxx::nontransaction(*conn).exec("SET default_transaction_read_only = on");
  } catch (const std::exception& e) {
    last_error = e.what();
    while (!last_error.empty() && (last_error.back() == '\n' || last_error.back() == ' ')) last_error.pop_back();
    next_attempt = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    throw DbUnavailable("cannot connect to PostgreSQL at " + name + ": " + last_error);
  }
}

// Maps libpqxx's exceptions onto the three kinds callers act on.
void PostgresDb::Impl::rethrow(const std::string& sql) {
  const std::string where = sql.empty() ? std::string() : " in '" + sql.substr(0, 60) + "'";
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    drop_connection();
    last_error = e.what();
    throw DbUnavailable("lost the connection to PostgreSQL at " + name + ": " + e.what());
  } catch (const pqxx::transaction_rollback& e) {  // serialisation failure, deadlock
    throw DbBusy(std::string("transaction conflict, retry: ") + e.what());
  } catch (const pqxx::in_doubt_error& e) {
    drop_connection();
    throw DbUnavailable(std::string("commit outcome unknown (connection lost): ") + e.what());
  } catch (const pqxx::sql_error& e) {
    throw DbError("SQL error" + where + ": " + e.what());
  } catch (const DbError&) {
    throw;
  } catch (const std::exception& e) {
    throw DbError("PostgreSQL" + where + ": " + e.what());
  }
}

pqxx::result PostgresDb::Impl::run(const std::string& sql, const std::vector<const char*>& params) {
  connect();
  try {
    pqxx::result r;
    const std::string& name = prepared_name(sql);
    if (tx) {
      r = tx->exec_prepared(name, pqxx::prepare::make_dynamic_params(params));
    } else {
      pqxx::nontransaction nt(*conn);
      r = nt.exec_prepared(name, pqxx::prepare::make_dynamic_params(params));
    }
    *changes = r.affected_rows();
    return r;
  } catch (...) {
    rethrow(sql);
  }
}

void PostgresDb::Impl::exec(const std::string& sql) {
  connect();
  try {
    if (tx) {
      tx->exec(sql);
    } else {
      pqxx::nontransaction nt(*conn);
      nt.exec(sql);
    }
  } catch (...) {
    rethrow(sql);
  }
}

void PostgresDb::exec(const std::string& sql) { impl_->exec(sql); }

Statement PostgresDb::prepare(const std::string& sql) {
  if (sql.find('?') != std::string::npos && sql.find('$') == std::string::npos)
    throw DbError("portable SQL uses $1..$n placeholders, not '?': " + sql.substr(0, 60));
  return Statement(std::make_unique<PostgresStatement>(*impl_, sql));
}

void PostgresDb::begin(Isolation isolation) {
  if (impl_->tx) throw DbError("nested transaction on one connection");
  impl_->connect();
  try {
    if (isolation == Isolation::kReadCommitted)
      impl_->tx = std::make_unique<pqxx::transaction<pqxx::read_committed>>(*impl_->conn);
    else
      impl_->tx = std::make_unique<pqxx::transaction<pqxx::serializable>>(*impl_->conn);
  } catch (...) {
    impl_->rethrow({});
  }
}

void PostgresDb::commit() {
  if (!impl_->tx) throw DbError("commit without a transaction");
  try {
    impl_->tx->commit();
    impl_->tx.reset();
  } catch (...) {
    impl_->tx.reset();
    impl_->rethrow({});
  }
}

void PostgresDb::rollback() noexcept {
  try {
    if (impl_->tx) impl_->tx->abort();
  } catch (...) {
  }
  impl_->tx.reset();
}
int PostgresDb::schema_version() {
  exec("CREATE TABLE IF NOT EXISTS moodtune_schema (version INTEGER NOT NULL)");
  auto st = prepare("SELECT max(version) FROM moodtune_schema");
  st.step();
  return st.is_null(0) ? 0 : static_cast<int>(st.int64(0));
}

void PostgresDb::set_schema_version(int v) {
  exec("DELETE FROM moodtune_schema");
  prepare("INSERT INTO moodtune_schema (version) VALUES ($1)").bind(1, v).run();
}

// A session-level advisory lock: taken outside the migration transaction,
// so the transaction's snapshot is taken after another process finished.
void PostgresDb::lock_schema() { prepare("SELECT pg_advisory_lock($1)").bind(1, int64_t{kSchemaLockKey}).run(); }

void PostgresDb::unlock_schema() noexcept {
  try {
    prepare("SELECT pg_advisory_unlock($1)").bind(1, int64_t{kSchemaLockKey}).run();
  } catch (...) {
  }
}

}  // namespace moodtune
