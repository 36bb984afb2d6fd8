// The SQLite dialect of the shared SQL transaction (adapters/sql/sql_tx.hpp).
#include "adapters/sqlite/dialect.hpp"

#include "adapters/sql/standard_dialect.hpp"

namespace concert::adapters::sqlite {

const sql::Dialect& sqlite_dialect() {
  static const sql::Dialect d = [] {
    auto d = sql::standard_dialect();
    d.begin_read = "BEGIN";
    d.begin_write = "BEGIN IMMEDIATE";
    d.find_seats = "SELECT " SEAT_COLUMNS
                   " FROM seats WHERE schedule_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id";
    d.hold_seats =
        "UPDATE seats SET status = 'HELD', reservation_id = ?, hold_expires_at = ?, version = version + 1 "
        "WHERE schedule_id = ? AND status = 'AVAILABLE' AND id IN (SELECT value FROM json_each(?))";
    d.retake_seats =
        "UPDATE seats SET status = 'SOLD', reservation_id = ?, hold_expires_at = NULL, version = version + 1 "
        "WHERE status = 'AVAILABLE' AND id IN (SELECT value FROM json_each(?))";
    d.insert_idempotency =
        "INSERT OR IGNORE INTO idempotency_keys (user_id, scope, idem_key, request_hash, completed, response_status, "
        "response_body, created_at) VALUES (?, ?, ?, ?, 0, 0, '', ?)";
    d.purge_idempotency =
        "DELETE FROM idempotency_keys WHERE rowid IN "
        "(SELECT rowid FROM idempotency_keys WHERE completed = 1 AND created_at < ? LIMIT ?)";
    d.mark_published =
        "UPDATE outbox SET published_at = ? WHERE published_at IS NULL AND id IN (SELECT value FROM json_each(?))";
    // The writer lock (BEGIN IMMEDIATE) already serialises write transactions.
    d.find_reservation_locked = "SELECT " RESERVATION_COLUMNS " FROM reservations WHERE id = ?";
    d.expired_holds_locked =
        "SELECT id FROM reservations WHERE status = 'HELD' AND expires_at <= ? ORDER BY expires_at LIMIT ?";
    return d;
  }();
  return d;
}

}  // namespace concert::adapters::sqlite
