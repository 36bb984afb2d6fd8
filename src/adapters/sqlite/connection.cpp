#include "adapters/sqlite/connection.hpp"

#include "ports/store.hpp"

namespace concert::adapters::sqlite {

void throw_sqlite(sqlite3* db, int rc, std::string_view what) {
  const std::string message = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  const int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) throw ports::TxConflict(message);
  throw ports::StoreUnavailable(message);
}

Statement::~Statement() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Statement::bind(int index, std::int64_t v) { sqlite3_bind_int64(stmt_, index, v); }

void Statement::bind(int index, std::string_view v) {
  sqlite3_bind_text(stmt_, index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

void Statement::bind(int index, std::nullopt_t) { sqlite3_bind_null(stmt_, index); }

void Statement::bind(int index, const std::optional<std::int64_t>& v) {
  if (v) {
    bind(index, *v);
  } else {
    bind(index, std::nullopt);
  }
}

void Statement::bind(int index, const std::optional<std::string>& v) {
  if (v) {
    bind(index, std::string_view(*v));
  } else {
    bind(index, std::nullopt);
  }
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_sqlite(db_, rc, sqlite3_sql(stmt_));
}

void Statement::run() {
  while (step()) {
  }
}

std::string Statement::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}

std::optional<std::int64_t> Statement::optional_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

std::optional<std::string> Statement::optional_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

Connection::Connection(const std::string& path) {
  const int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = "cannot open " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw ports::StoreUnavailable(message);
  }
  sqlite3_busy_timeout(db_, 5000);
  exec("PRAGMA journal_mode=WAL");
  // NORMAL in WAL mode loses nothing when the process dies (kill -9): a commit is
  // in the OS page cache once COMMIT returns. Only a power cut can drop the last
  // commits, which is the trade every embedded WAL setup makes for speed.
  exec("PRAGMA synchronous=NORMAL");
  exec("PRAGMA foreign_keys=ON");
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Statement Connection::prepare(std::string_view sql) {
  auto it = cache_.find(sql.data());
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                      nullptr);
    if (rc != SQLITE_OK) throw_sqlite(db_, rc, "prepare");
    it = cache_.emplace(sql.data(), stmt).first;
  }
  return Statement(db_, it->second);
}

void Connection::exec(std::string_view sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, sql.data(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    const std::string message = std::string(sql) + ": " + (error ? error : sqlite3_errstr(rc));
    sqlite3_free(error);
    const int primary = rc & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) throw ports::TxConflict(message);
    throw ports::StoreUnavailable(message);
  }
}

}  // namespace concert::adapters::sqlite
