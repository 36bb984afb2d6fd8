#include "adapters/mysql/connection.hpp"

#include <charconv>
#include <cstring>

#include "adapters/mysql/mariadb_include.hpp"
#include "ports/store.hpp"

namespace concert::adapters::mysql {

struct Statement::Column {
  std::vector<char> buffer;
  unsigned long length = 0;
  my_bool is_null = 0;
};

namespace {

bool is_client_error(unsigned error) { return error >= CR_MIN_ERROR && error <= CR_MAX_ERROR; }

}  // namespace

// --- Connection ------------------------------------------------------------------

Connection::Connection(const ConnectionOptions& o) : db_(mysql_init(nullptr)) {
  if (!db_) throw ports::StoreUnavailable("mysql_init failed");
  const unsigned connect = static_cast<unsigned>(o.connect_timeout.count());
  const unsigned io = static_cast<unsigned>(o.io_timeout.count());
  mysql_options(db_, MYSQL_OPT_CONNECT_TIMEOUT, &connect);
  mysql_options(db_, MYSQL_OPT_READ_TIMEOUT, &io);
  mysql_options(db_, MYSQL_OPT_WRITE_TIMEOUT, &io);
  mysql_options(db_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  const auto& e = o.endpoint;
  // CLIENT_FOUND_ROWS: UPDATE reports matched rows, as SQLite does, so a
  // conditional UPDATE that rewrites the same value still counts as a match.
  if (!mysql_real_connect(db_, e.host.c_str(), e.user.c_str(), e.password.c_str(), e.database.c_str(), e.port, nullptr,
                          CLIENT_FOUND_ROWS)) {
    const std::string message = std::string("cannot connect to MySQL at ") + e.host + ":" + std::to_string(e.port) +
                                ": " + mysql_error(db_);
    mysql_close(db_);
    db_ = nullptr;
    throw ports::StoreUnavailable(message);
  }
  exec("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  const std::string lock_wait =
      "SET SESSION innodb_lock_wait_timeout = " + std::to_string(o.lock_wait_timeout.count());
  exec(lock_wait);
  if (o.implicit_transactions) {
    if (mysql_autocommit(db_, 0) != 0) fail(mysql_errno(db_), std::string("autocommit off: ") + mysql_error(db_));
    implicit_transactions_ = true;
  }
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) mysql_stmt_close(stmt);
  if (db_) mysql_close(db_);
}

void Connection::fail(unsigned error, const std::string& message) {
  if (is_client_error(error)) broken_ = true;
  if (error == ER_LOCK_DEADLOCK || error == ER_LOCK_WAIT_TIMEOUT) throw ports::TxConflict(message);
  throw ports::StoreUnavailable(message);
}

void Connection::exec(std::string_view sql) {
  if (mysql_real_query(db_, sql.data(), sql.size()) != 0) {
    fail(mysql_errno(db_), std::string(sql) + ": " + mysql_error(db_));
  }
  // Statements run through exec return no rows, but drain any to keep the protocol in step.
  if (MYSQL_RES* res = mysql_store_result(db_)) mysql_free_result(res);
}

Statement Connection::prepare(std::string_view sql) {
  auto it = cache_.find(sql.data());
  if (it == cache_.end()) {
    MYSQL_STMT* stmt = mysql_stmt_init(db_);
    if (!stmt) fail(mysql_errno(db_), "mysql_stmt_init failed");
    if (mysql_stmt_prepare(stmt, sql.data(), sql.size()) != 0) {
      const unsigned error = mysql_stmt_errno(stmt);
      const std::string message = std::string(sql) + ": " + mysql_stmt_error(stmt);
      mysql_stmt_close(stmt);
      fail(error, message);
    }
    my_bool update_max_length = 1;
    mysql_stmt_attr_set(stmt, STMT_ATTR_UPDATE_MAX_LENGTH, &update_max_length);
    it = cache_.emplace(sql.data(), stmt).first;
  }
  return Statement(*this, it->second);
}

// --- Statement ---------------------------------------------------------------------

Statement::Statement(Connection& conn, MYSQL_STMT* stmt) : conn_(conn), stmt_(stmt) {}

// Frees the buffered rows only. No mysql_stmt_reset: it costs a round trip
// (COM_STMT_RESET) per statement, and mysql_stmt_execute already starts afresh
// from a statement whose result was stored and freed.
Statement::~Statement() { mysql_stmt_free_result(stmt_); }

void Statement::bind(std::int64_t v) { params_.push_back({false, true, v, {}}); }
void Statement::bind(std::string_view v) { params_.push_back({false, false, 0, std::string(v)}); }
void Statement::bind(std::nullopt_t) { params_.push_back({true, false, 0, {}}); }
void Statement::bind(const std::optional<std::int64_t>& v) {
  if (v) {
    bind(*v);
  } else {
    bind(std::nullopt);
  }
}
void Statement::bind(const std::optional<std::string>& v) {
  if (v) {
    bind(std::string_view(*v));
  } else {
    bind(std::nullopt);
  }
}

void Statement::execute() {
  executed_ = true;
  std::vector<MYSQL_BIND> binds(params_.size());
  std::vector<my_bool> nulls(params_.size());
  std::vector<unsigned long> lengths(params_.size());
  for (std::size_t i = 0; i < params_.size(); ++i) {
    auto& b = binds[i];
    std::memset(&b, 0, sizeof b);
    auto& p = params_[i];
    nulls[i] = p.is_null;
    b.is_null = &nulls[i];
    if (p.is_null) {
      b.buffer_type = MYSQL_TYPE_NULL;
    } else if (p.is_int) {
      b.buffer_type = MYSQL_TYPE_LONGLONG;
      b.buffer = &p.i;
    } else {
      b.buffer_type = MYSQL_TYPE_STRING;
      b.buffer = p.s.data();
      lengths[i] = p.s.size();
      b.buffer_length = p.s.size();
      b.length = &lengths[i];
    }
  }
  if (!binds.empty() && mysql_stmt_bind_param(stmt_, binds.data()) != 0) {
    conn_.fail(mysql_stmt_errno(stmt_), mysql_stmt_error(stmt_));
  }
  if (mysql_stmt_execute(stmt_) != 0) conn_.fail(mysql_stmt_errno(stmt_), mysql_stmt_error(stmt_));
  affected_ = mysql_stmt_affected_rows(stmt_);
  insert_id_ = static_cast<std::int64_t>(mysql_stmt_insert_id(stmt_));

  MYSQL_RES* meta = mysql_stmt_result_metadata(stmt_);
  if (!meta) return;
  has_result_ = true;
  // Buffer the whole result so every column's longest value is known, then read
  // every column as text (the client converts numbers).
  if (mysql_stmt_store_result(stmt_) != 0) {
    mysql_free_result(meta);
    conn_.fail(mysql_stmt_errno(stmt_), mysql_stmt_error(stmt_));
  }
  const unsigned n = mysql_num_fields(meta);
  MYSQL_FIELD* fields = mysql_fetch_fields(meta);
  columns_.assign(n, Column{});
  std::vector<MYSQL_BIND> out(n);
  for (unsigned i = 0; i < n; ++i) {
    columns_[i].buffer.resize(fields[i].max_length + 1);
    std::memset(&out[i], 0, sizeof out[i]);
    out[i].buffer_type = MYSQL_TYPE_STRING;
    out[i].buffer = columns_[i].buffer.data();
    out[i].buffer_length = columns_[i].buffer.size();
    out[i].length = &columns_[i].length;
    out[i].is_null = &columns_[i].is_null;
  }
  mysql_free_result(meta);
  if (mysql_stmt_bind_result(stmt_, out.data()) != 0) conn_.fail(mysql_stmt_errno(stmt_), mysql_stmt_error(stmt_));
}

bool Statement::step() {
  if (!executed_) execute();
  if (!has_result_) return false;
  const int rc = mysql_stmt_fetch(stmt_);
  if (rc == 0) return true;
  if (rc == MYSQL_NO_DATA) return false;
  if (rc == MYSQL_DATA_TRUNCATED) conn_.fail(0, "MySQL result truncated");
  conn_.fail(mysql_stmt_errno(stmt_), mysql_stmt_error(stmt_));
}

void Statement::run() {
  while (step()) {
  }
}

std::string Statement::text(int col) const {
  const auto& c = columns_.at(static_cast<std::size_t>(col));
  return c.is_null ? std::string() : std::string(c.buffer.data(), c.length);
}

bool Statement::is_null(int col) const { return columns_.at(static_cast<std::size_t>(col)).is_null != 0; }

std::int64_t Statement::int64(int col) const {
  const auto& c = columns_.at(static_cast<std::size_t>(col));
  std::int64_t v = 0;
  if (!c.is_null) std::from_chars(c.buffer.data(), c.buffer.data() + c.length, v);
  return v;
}

std::optional<std::int64_t> Statement::optional_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

std::optional<std::string> Statement::optional_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

}  // namespace concert::adapters::mysql
