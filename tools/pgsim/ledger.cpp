#include "pgsim/ledger.hpp"

#include <sqlite3.h>

#include <ctime>
#include <stdexcept>
#include <string_view>

namespace concert::pgsim {

namespace {

inline constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS payments (
  payment_key     TEXT PRIMARY KEY,
  order_id        TEXT NOT NULL UNIQUE,
  idempotency_key TEXT NOT NULL UNIQUE,
  amount          INTEGER NOT NULL,
  outcome         TEXT NOT NULL CHECK (outcome IN ('DONE', 'ABORTED')),
  metadata        TEXT NOT NULL,
  requested_at    TEXT NOT NULL,
  approved_at     TEXT,
  failure_code    TEXT,
  failure_message TEXT
);
CREATE TABLE IF NOT EXISTS cancels (
  idempotency_key TEXT PRIMARY KEY,
  payment_key     TEXT NOT NULL UNIQUE REFERENCES payments (payment_key),
  transaction_key TEXT NOT NULL UNIQUE,
  amount          INTEGER NOT NULL,
  reason          TEXT NOT NULL,
  canceled_at     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  kind            TEXT NOT NULL CHECK (kind IN ('charge', 'refund')),
  idempotency_key TEXT NOT NULL,
  order_id        TEXT NOT NULL,
  amount          INTEGER NOT NULL,
  gateway_tx_id   TEXT NOT NULL,
  outcome         TEXT NOT NULL CHECK (outcome IN ('APPROVED', 'DECLINED')),
  at              TEXT NOT NULL,
  UNIQUE (kind, idempotency_key)
);
)sql";

// A payment with its cancel, if any (columns named for Statement::text); a WHERE clause follows.
inline constexpr std::string_view kSelectPayment = R"sql(
SELECT p.payment_key AS payment_key, p.order_id AS order_id, p.idempotency_key AS idempotency_key,
       p.amount AS amount, p.outcome AS outcome, p.metadata AS metadata, p.requested_at AS requested_at,
       p.approved_at AS approved_at, p.failure_code AS failure_code, p.failure_message AS failure_message,
       c.idempotency_key AS cancel_key, c.transaction_key AS transaction_key, c.amount AS cancel_amount,
       c.reason AS reason, c.canceled_at AS canceled_at
  FROM payments p LEFT JOIN cancels c ON c.payment_key = p.payment_key
)sql";

// An existing key or order id leaves the row alone (the UNIQUE constraints);
// changes() then tells a new charge from a repeated one.
inline constexpr std::string_view kInsertPayment = R"sql(
INSERT OR IGNORE INTO payments (payment_key, order_id, idempotency_key, amount, outcome, metadata, requested_at,
                                approved_at, failure_code, failure_message)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
)sql";

inline constexpr std::string_view kInsertCancel = R"sql(
INSERT INTO cancels (idempotency_key, payment_key, transaction_key, amount, reason, canceled_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
)sql";

inline constexpr std::string_view kInsertEntry = R"sql(
INSERT INTO ledger (kind, idempotency_key, order_id, amount, gateway_tx_id, outcome, at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
)sql";

inline constexpr std::string_view kSelectEntries = R"sql(
SELECT kind, idempotency_key, order_id, amount, gateway_tx_id, outcome, at FROM ledger ORDER BY seq
)sql";

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  throw std::runtime_error("ledger: " + std::string(what) + ": " + sqlite3_errmsg(db));
}

void exec(sqlite3* db, std::string_view sql) {
  if (sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail(db, sql);
}

// One prepared statement; columns are read by name.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK) {
      fail(db, "prepare");
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::string_view text) {
    check(sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind(int index, std::int64_t value) {
    check(sqlite3_bind_int64(stmt_, index, value));
    return *this;
  }
  // Empty text is stored as NULL.
  Statement& bind_or_null(int index, std::string_view text) {
    if (!text.empty()) return bind(index, text);
    check(sqlite3_bind_null(stmt_, index));
    return *this;
  }

  // True while a row is there to read.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, "step");
  }

  bool is_null(std::string_view column) const { return sqlite3_column_type(stmt_, index(column)) == SQLITE_NULL; }
  std::string text(std::string_view column) const {
    const int i = index(column);
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i))) : std::string();
  }
  std::int64_t integer(std::string_view column) const { return sqlite3_column_int64(stmt_, index(column)); }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) fail(db_, "bind");
  }
  int index(std::string_view column) const {
    for (int i = 0, n = sqlite3_column_count(stmt_); i < n; ++i) {
      if (column == sqlite3_column_name(stmt_, i)) return i;
    }
    throw std::logic_error("ledger: no column " + std::string(column));
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE (the write lock at once, so what is read is what is then
// written over); rolled back on destruction unless committed.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) { exec(db_, "BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    exec(db_, "COMMIT");
    done_ = true;
  }

 private:
  sqlite3* db_;
  bool done_ = false;
};

Payment read_payment(const Statement& row) {
  Payment p;
  p.payment_key = row.text("payment_key");
  p.order_id = row.text("order_id");
  p.idempotency_key = row.text("idempotency_key");
  p.amount = row.integer("amount");
  p.metadata = row.text("metadata");
  p.requested_at = row.text("requested_at");
  p.approved_at = row.text("approved_at");
  p.failure_code = row.text("failure_code");
  p.failure_message = row.text("failure_message");
  if (!row.is_null("cancel_key")) {
    p.cancel = Cancel{row.text("cancel_key"), row.text("transaction_key"), row.integer("cancel_amount"),
                      row.text("reason"), row.text("canceled_at")};
  }
  p.status = p.cancel ? "CANCELED" : row.text("outcome");
  return p;
}

std::optional<Payment> find_payment(sqlite3* db, std::string_view where, std::string_view value) {
  Statement q(db, std::string(kSelectPayment) + " WHERE " + std::string(where) + " = ?1");
  q.bind(1, value);
  if (!q.step()) return std::nullopt;
  return read_payment(q);
}

void add_entry(sqlite3* db, const LedgerEntry& e) {
  Statement insert(db, kInsertEntry);
  insert.bind(1, e.kind).bind(2, e.idempotency_key).bind(3, e.order_id).bind(4, e.amount);
  insert.bind(5, e.gateway_tx_id).bind(6, e.outcome).bind(7, e.at);
  insert.step();
}

}  // namespace

std::string rfc3339(std::chrono::system_clock::time_point t) {
  const auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(t);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(t - seconds).count();
  const std::time_t tt = std::chrono::system_clock::to_time_t(seconds);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[40];
  const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(millis));
  return std::string(buf, n) + frac;
}

Ledger::Ledger(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("ledger: cannot open " + path + ": " + why);
  }
  try {
    sqlite3_busy_timeout(db_, 5000);
    // WAL with synchronous=NORMAL: a committed charge is in the WAL file before
    // the answer goes out, so it survives the simulator's kill -9 (not a power cut).
    exec(db_, "PRAGMA journal_mode = WAL");
    exec(db_, "PRAGMA synchronous = NORMAL");
    exec(db_, "PRAGMA foreign_keys = ON");
    exec(db_, kSchema);
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

Ledger::~Ledger() { sqlite3_close(db_); }

ChargeResult Ledger::charge(const ChargeRequest& request, const Verdict& verdict, const std::string& payment_key,
                            std::chrono::system_clock::time_point now) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  const auto at = rfc3339(now);
  const bool approved = verdict.failure_code.empty();
  Statement insert(db_, kInsertPayment);
  insert.bind(1, payment_key).bind(2, request.order_id).bind(3, request.idempotency_key).bind(4, request.amount);
  insert.bind(5, approved ? "DONE" : "ABORTED").bind(6, request.metadata).bind(7, at);
  insert.bind_or_null(8, approved ? at : "").bind_or_null(9, verdict.failure_code);
  insert.bind_or_null(10, verdict.failure_message);
  insert.step();
  if (sqlite3_changes(db_) == 0) {
    // Kept out by a UNIQUE constraint: the key's own first charge, or another key's order.
    if (auto first = find_payment(db_, "p.idempotency_key", request.idempotency_key)) {
      return {ChargeStatus::Replayed, std::move(*first)};
    }
    if (auto other = find_payment(db_, "p.order_id", request.order_id)) {
      return {ChargeStatus::OrderTaken, std::move(*other)};
    }
    fail(db_, "a charge kept out by no key or order");  // a payment key collision: never with 128 random bits
  }
  add_entry(db_, {"charge", request.idempotency_key, request.order_id, request.amount, payment_key,
                  approved ? "APPROVED" : "DECLINED", at});
  auto recorded = find_payment(db_, "p.payment_key", payment_key);
  tx.commit();
  return {ChargeStatus::Recorded, std::move(*recorded)};
}

CancelResult Ledger::cancel(const CancelRequest& request, const std::string& transaction_key,
                            std::chrono::system_clock::time_point now) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  if (auto first = find_payment(db_, "c.idempotency_key", request.idempotency_key)) {
    return {CancelStatus::Replayed, std::move(*first)};
  }
  auto payment = find_payment(db_, "p.payment_key", request.payment_key);
  if (!payment) return {CancelStatus::NotFound, {}};
  if (!payment->approved()) return {CancelStatus::NotCancelable, std::move(*payment)};
  if (payment->cancel) return {CancelStatus::AlreadyCanceled, std::move(*payment)};
  const auto amount = request.amount.value_or(payment->amount);
  if (amount > payment->amount) return {CancelStatus::AmountTooLarge, std::move(*payment)};

  const auto at = rfc3339(now);
  Statement insert(db_, kInsertCancel);
  insert.bind(1, request.idempotency_key).bind(2, payment->payment_key).bind(3, transaction_key);
  insert.bind(4, amount).bind(5, request.reason).bind(6, at);
  insert.step();
  add_entry(db_, {"refund", request.idempotency_key, payment->order_id, amount, payment->payment_key, "APPROVED", at});
  auto cancelled = find_payment(db_, "p.payment_key", payment->payment_key);
  tx.commit();
  return {CancelStatus::Recorded, std::move(*cancelled)};
}

std::optional<Payment> Ledger::find_by_order(const std::string& order_id) {
  std::lock_guard lock(mutex_);
  return find_payment(db_, "p.order_id", order_id);
}

std::vector<LedgerEntry> Ledger::entries() {
  std::lock_guard lock(mutex_);
  Statement q(db_, kSelectEntries);
  std::vector<LedgerEntry> out;
  while (q.step()) {
    out.push_back({q.text("kind"), q.text("idempotency_key"), q.text("order_id"), q.integer("amount"),
                   q.text("gateway_tx_id"), q.text("outcome"), q.text("at")});
  }
  return out;
}

}  // namespace concert::pgsim
