#include "adapters/mysql/connection.hpp"

#include <poll.h>

#include <cerrno>
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

using Clock = std::chrono::steady_clock;

bool is_client_error(unsigned error) { return error >= CR_MIN_ERROR && error <= CR_MAX_ERROR; }

// Why the non-blocking API: the blocking calls wait as long as the library's
// timeouts, which are whole seconds, and the bound a request needs lies between
// 1 s (InnoDB's lock waits end there: a slow answer that is not a failure) and
// the 2 s within which a request must have answered 503. Waiting here, on the
// socket, with a deadline in milliseconds is how the library lets a caller
// choose (MariaDB's "Using the non-blocking library").
//
// Waits for what the library asked (MYSQL_WAIT_* bits of `status`) until the
// deadline. Returns the bits for the next _cont call, or 0 if the deadline
// came first (or poll failed): the call is then left unfinished.
int wait_for(MYSQL* db, int status, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return 0;
    // The library's own timer (its connect and read timeouts), when it is the sooner.
    const long long library_ms = (status & MYSQL_WAIT_TIMEOUT) != 0 ? mysql_get_timeout_value_ms(db) : left;
    const bool library_timer = library_ms < left;
    const int wait = static_cast<int>(library_timer ? library_ms : left);
    pollfd pfd{mysql_get_socket(db), 0, 0};
    if (status & MYSQL_WAIT_READ) pfd.events |= POLLIN;
    if (status & MYSQL_WAIT_WRITE) pfd.events |= POLLOUT;
    if (status & MYSQL_WAIT_EXCEPT) pfd.events |= POLLPRI;
    const int rc = ::poll(&pfd, 1, wait);
    if (rc < 0) {
      if (errno == EINTR) continue;
      return 0;
    }
    if (rc == 0) {
      if (library_timer) return MYSQL_WAIT_TIMEOUT;
      continue;  // our deadline: the next turn sees it passed
    }
    int ready = 0;
    if (pfd.revents & POLLIN) ready |= MYSQL_WAIT_READ;
    if (pfd.revents & POLLOUT) ready |= MYSQL_WAIT_WRITE;
    if (pfd.revents & POLLPRI) ready |= MYSQL_WAIT_EXCEPT;
    // A reset or closed socket: let the library read or write, and see the error.
    if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) ready |= status & (MYSQL_WAIT_READ | MYSQL_WAIT_WRITE);
    if (ready != 0) return ready;
  }
}

// The library's own timeouts stay as a backstop for the few calls still made
// blocking (closing statements and the connection): whole seconds, rounded up.
unsigned whole_seconds(std::chrono::milliseconds ms) {
  return static_cast<unsigned>(std::chrono::ceil<std::chrono::seconds>(ms).count());
}

}  // namespace

template <typename Start, typename Cont>
void Connection::call(std::string_view what, Start&& start, Cont&& cont) {
  if (broken_) throw ports::StoreUnavailable("MySQL connection is closed (it broke earlier): " + std::string(what));
  const auto deadline = Clock::now() + call_timeout_;
  for (int status = start(); status != 0;) {
    const int ready = wait_for(db_, status, deadline);
    if (ready == 0) abandon(what);
    status = cont(ready);
  }
}

void Connection::abandon(std::string_view what) {
  // The call is left unfinished, so the connection may only be closed (the
  // library allows that in the middle of a non-blocking call).
  close_now();
  throw ports::StoreUnavailable("MySQL did not answer within " + std::to_string(call_timeout_.count()) +
                                " ms: " + std::string(what));
}

void Connection::close_now() {
  broken_ = true;
  if (!db_) return;
  // Shut the socket first: mysql_close then cannot wait on a stalled server
  // (its COM_QUIT fails at once), and every statement is detached from the
  // connection, so closing them later sends nothing and reads nothing.
  mariadb_cancel(db_);
  mysql_close(db_);
  db_ = nullptr;
}

// --- Connection ------------------------------------------------------------------

Connection::Connection(const ConnectionOptions& o) : call_timeout_(o.call_timeout), db_(mysql_init(nullptr)) {
  if (!db_) throw ports::StoreUnavailable("mysql_init failed");
  const unsigned connect = whole_seconds(o.connect_timeout);
  const unsigned io = whole_seconds(o.call_timeout);
  mysql_options(db_, MYSQL_OPT_NONBLOCK, nullptr);
  mysql_options(db_, MYSQL_OPT_CONNECT_TIMEOUT, &connect);
  mysql_options(db_, MYSQL_OPT_READ_TIMEOUT, &io);
  mysql_options(db_, MYSQL_OPT_WRITE_TIMEOUT, &io);
  mysql_options(db_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  const auto& e = o.endpoint;
  // CLIENT_FOUND_ROWS: UPDATE reports matched rows, as SQLite does, so a
  // conditional UPDATE that rewrites the same value still counts as a match.
  MYSQL* connected = nullptr;
  const auto deadline = Clock::now() + o.connect_timeout;
  bool in_time = true;
  for (int status = mysql_real_connect_start(&connected, db_, e.host.c_str(), e.user.c_str(), e.password.c_str(),
                                             e.database.c_str(), e.port, nullptr, CLIENT_FOUND_ROWS);
       status != 0 && in_time;) {
    const int ready = wait_for(db_, status, deadline);
    in_time = ready != 0;
    if (in_time) status = mysql_real_connect_cont(&connected, db_, ready);
  }
  if (!connected) {
    const std::string why =
        in_time ? mysql_error(db_) : "no answer within " + std::to_string(o.connect_timeout.count()) + " ms";
    const std::string message =
        std::string("cannot connect to MySQL at ") + e.host + ":" + std::to_string(e.port) + ": " + why;
    mysql_close(db_);  // also in the middle of a connect, as the library allows
    db_ = nullptr;
    throw ports::StoreUnavailable(message);
  }
  try {
    exec("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    exec("SET SESSION innodb_lock_wait_timeout = " + std::to_string(o.lock_wait_timeout.count()));
    if (o.implicit_transactions) {
      my_bool failed = 0;
      call(
          "autocommit off", [&] { return mysql_autocommit_start(&failed, db_, 0); },
          [&](int ready) { return mysql_autocommit_cont(&failed, db_, ready); });
      if (failed != 0) fail(mysql_errno(db_), std::string("autocommit off: ") + mysql_error(db_));
      implicit_transactions_ = true;
    }
  } catch (...) {
    close_now();  // no destructor runs for a constructor that throws
    throw;
  }
}

Connection::~Connection() {
  // A broken connection is closed before its statements: closing them then
  // only frees memory (on a live one it tells the server, which may not answer).
  if (broken_) close_now();
  for (auto& [sql, stmt] : cache_) mysql_stmt_close(stmt);
  if (db_) mysql_close(db_);
}

void Connection::fail(unsigned error, const std::string& message) {
  if (is_client_error(error)) broken_ = true;
  if (error == ER_LOCK_DEADLOCK || error == ER_LOCK_WAIT_TIMEOUT) throw ports::TxConflict(message);
  throw ports::StoreUnavailable(message);
}

void Connection::exec(std::string_view sql) {
  int failed = 0;
  call(
      sql, [&] { return mysql_real_query_start(&failed, db_, sql.data(), sql.size()); },
      [&](int ready) { return mysql_real_query_cont(&failed, db_, ready); });
  if (failed != 0) fail(mysql_errno(db_), std::string(sql) + ": " + mysql_error(db_));
  // Statements run through exec return no rows, but drain any to keep the protocol in step.
  MYSQL_RES* res = nullptr;
  call(
      sql, [&] { return mysql_store_result_start(&res, db_); },
      [&](int ready) { return mysql_store_result_cont(&res, db_, ready); });
  if (res) mysql_free_result(res);  // a stored result: freeing it reads nothing
}

Statement Connection::prepare(std::string_view sql) {
  auto it = cache_.find(sql.data());
  if (it == cache_.end()) {
    if (broken_) throw ports::StoreUnavailable("MySQL connection is closed (it broke earlier): " + std::string(sql));
    MYSQL_STMT* stmt = mysql_stmt_init(db_);
    if (!stmt) fail(mysql_errno(db_), "mysql_stmt_init failed");
    int failed = 0;
    try {
      call(
          sql, [&] { return mysql_stmt_prepare_start(&failed, stmt, sql.data(), sql.size()); },
          [&](int ready) { return mysql_stmt_prepare_cont(&failed, stmt, ready); });
    } catch (...) {
      mysql_stmt_close(stmt);  // detached by then: frees memory only
      throw;
    }
    if (failed != 0) {
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
  int failed = 0;
  conn_.call(
      "statement", [&] { return mysql_stmt_execute_start(&failed, stmt_); },
      [&](int ready) { return mysql_stmt_execute_cont(&failed, stmt_, ready); });
  if (failed != 0) conn_.fail(mysql_stmt_errno(stmt_), mysql_stmt_error(stmt_));
  affected_ = mysql_stmt_affected_rows(stmt_);
  insert_id_ = static_cast<std::int64_t>(mysql_stmt_insert_id(stmt_));

  MYSQL_RES* meta = mysql_stmt_result_metadata(stmt_);
  if (!meta) return;
  has_result_ = true;
  // Buffer the whole result so every column's longest value is known, then read
  // every column as text (the client converts numbers). Fetching from a stored
  // result reads nothing more from the server.
  try {
    conn_.call(
        "statement's result", [&] { return mysql_stmt_store_result_start(&failed, stmt_); },
        [&](int ready) { return mysql_stmt_store_result_cont(&failed, stmt_, ready); });
  } catch (...) {
    mysql_free_result(meta);
    throw;
  }
  if (failed != 0) {
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
