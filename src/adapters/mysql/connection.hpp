// One MySQL-protocol connection (MariaDB Connector/C) with server-side prepared
// statements kept for reuse. Client errors (CR_*: the connection is gone) mark it
// broken so the pool drops it; server errors (ER_*) do not.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "adapters/mysql/mysql_url.hpp"

struct st_mysql;
struct st_mysql_stmt;

namespace concert::adapters::mysql {

struct ConnectionOptions {
  MysqlEndpoint endpoint;
  // Short, so a stalled server costs a request less than the 2 s in which it
  // must answer 503 (issue 13 item 4), not a client timeout. Kept by this class
  // in milliseconds (the client library's own timeouts take whole seconds).
  std::chrono::milliseconds connect_timeout{1000};
  // Each call to the server (a statement with its result, a commit) ends within
  // this or the connection is closed: above lock_wait_timeout, so a lock wait
  // ends as a conflict on a connection that lives on.
  std::chrono::milliseconds call_timeout{1500};
  std::chrono::seconds lock_wait_timeout{1};  // InnoDB row-lock waits (whole seconds on MariaDB)
  // Autocommit off: a transaction begins with its first statement, as JDBC's
  // setAutoCommit(false) does, which saves the START TRANSACTION round trip.
  // Every user must then end each transaction with COMMIT or ROLLBACK (SqlTx does).
  bool implicit_transactions = false;
};

class Connection;

// A prepared statement in use: parameters bound by value, results read as text.
class Statement {
 public:
  Statement(Connection& conn, st_mysql_stmt* stmt);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  template <typename... Args>
  Statement& bind_all(const Args&... args) {
    params_.clear();
    (bind(args), ...);
    return *this;
  }
  void bind(std::int64_t v);
  void bind(int v) { bind(static_cast<std::int64_t>(v)); }
  void bind(std::string_view v);
  void bind(const std::string& v) { bind(std::string_view(v)); }
  void bind(const char* v) { bind(std::string_view(v)); }
  void bind(std::nullopt_t);
  void bind(const std::optional<std::int64_t>& v);
  void bind(const std::optional<std::string>& v);

  bool step();  // executes on the first call; true while there is a row
  void run();
  int changes() const { return static_cast<int>(affected_); }
  std::int64_t last_insert_id() const { return insert_id_; }

  std::int64_t int64(int col) const;
  std::string text(int col) const;
  bool is_null(int col) const;
  std::optional<std::int64_t> optional_int64(int col) const;
  std::optional<std::string> optional_text(int col) const;

 private:
  struct Param {
    bool is_null = false;
    bool is_int = false;
    std::int64_t i = 0;
    std::string s;
  };
  struct Column;
  void execute();

  Connection& conn_;
  st_mysql_stmt* stmt_;
  std::vector<Param> params_;
  std::vector<Column> columns_;
  bool executed_ = false;
  bool has_result_ = false;
  std::uint64_t affected_ = 0;
  std::int64_t insert_id_ = 0;
};

class Connection {
 public:
  using Statement = mysql::Statement;

  explicit Connection(const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Statement prepare(std::string_view sql);  // cached by the SQL text's address
  void exec(std::string_view sql);
  // A client error or a call past its deadline: closed or to be closed, never reused.
  bool broken() const { return broken_; }
  bool begins_transactions_implicitly() const { return implicit_transactions_; }
  // Throws TxConflict for deadlocks and lock-wait timeouts, StoreUnavailable otherwise.
  [[noreturn]] void fail(unsigned error, const std::string& message);

 private:
  friend class mysql::Statement;
  // Runs one call of the client library's non-blocking API (start, then cont
  // until done) within call_timeout; past it, closes the connection and throws
  // StoreUnavailable. Throws the same at once on a broken connection. Defined
  // in connection.cpp, the only place that calls the library.
  template <typename Start, typename Cont>
  void call(std::string_view what, Start&& start, Cont&& cont);
  [[noreturn]] void abandon(std::string_view what);
  void close_now();

  std::chrono::milliseconds call_timeout_;
  st_mysql* db_ = nullptr;
  bool broken_ = false;
  bool implicit_transactions_ = false;
  std::unordered_map<const char*, st_mysql_stmt*> cache_;
};

}  // namespace concert::adapters::mysql
