// One SQLite connection with its prepared statements kept for reuse, and a
// statement handle that binds, steps and resets itself.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace concert::adapters::sqlite {

class Connection;

// Throws ports::TxConflict for SQLITE_BUSY/LOCKED, ports::StoreUnavailable otherwise.
[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view what);

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  template <typename... Args>
  Statement& bind_all(const Args&... args) {
    int i = 0;
    (bind(++i, args), ...);
    return *this;
  }
  void bind(int index, std::int64_t v);
  void bind(int index, int v) { bind(index, static_cast<std::int64_t>(v)); }
  void bind(int index, std::string_view v);
  void bind(int index, const std::string& v) { bind(index, std::string_view(v)); }
  void bind(int index, const char* v) { bind(index, std::string_view(v)); }
  void bind(int index, std::nullopt_t);
  void bind(int index, const std::optional<std::int64_t>& v);
  void bind(int index, const std::optional<std::string>& v);

  bool step();  // true while there is a row
  void run();   // steps a statement that returns no rows
  int changes() const { return sqlite3_changes(db_); }
  std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }

  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string text(int col) const;
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::optional<std::int64_t> optional_int64(int col) const;
  std::optional<std::string> optional_text(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  using Statement = sqlite::Statement;
  explicit Connection(const std::string& path);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Prepared once per connection (keyed by the SQL text's address: SQL lives in
  // constants), reset when the returned Statement goes out of scope.
  Statement prepare(std::string_view sql);
  void exec(std::string_view sql);  // sql must be NUL-terminated (a literal or a constant)
  // BEGIN IMMEDIATE takes the writer lock up front: always sent.
  bool begins_transactions_implicitly() const { return false; }
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

}  // namespace concert::adapters::sqlite
