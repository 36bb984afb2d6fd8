// The SQLite dialect of the shared SQL transaction (adapters/sql/sql_tx.hpp).
#include "adapters/sqlite/dialect.hpp"

#include "adapters/sql/standard_dialect.hpp"

namespace concert::adapters::sqlite {

const sql::Dialect& sqlite_dialect() {
  static const sql::Dialect d = [] {
    auto d = sql::standard_dialect();
    d.begin_read = "BEGIN";
    d.begin_write = "BEGIN IMMEDIATE";
#define SEATS_AMONG_IDS " FROM seats WHERE schedule_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id"
    d.find_seats = "SELECT " SEAT_COLUMNS SEATS_AMONG_IDS;
    d.find_seats_to_hold = "SELECT " SEAT_COLUMNS ", " LIVE_SEATS_OF_FAN_COLUMN SEATS_AMONG_IDS;
#undef SEATS_AMONG_IDS
    // Numbered parameters keep the bind order MySQL's join form needs; the unary
    // + keeps the planner on the primary key instead of scanning every AVAILABLE
    // seat through seats_by_hold_expiry.
    d.hold_seats =
        "UPDATE seats SET status = 'HELD', reservation_id = ?2, hold_expires_at = ?3, version = version + 1 "
        "WHERE id IN (SELECT value FROM json_each(?1)) AND +schedule_id = ?4 AND +status = 'AVAILABLE'";
    d.retake_seats =
        "UPDATE seats SET status = 'SOLD', reservation_id = ?2, hold_expires_at = NULL, version = version + 1 "
        "WHERE id IN (SELECT value FROM json_each(?1)) AND +status = 'AVAILABLE'";
    d.insert_idempotency = "INSERT OR IGNORE " IDEMPOTENCY_INSERT_VALUES;
    d.heartbeat =
        "INSERT INTO instance_heartbeats (instance_id, seen_at) VALUES (?, ?) "
        "ON CONFLICT (instance_id) DO UPDATE SET seen_at = excluded.seen_at";
    d.insert_payment = "INSERT OR IGNORE " PAYMENT_INSERT_VALUES;
    d.insert_reservation = "INSERT OR IGNORE " RESERVATION_INSERT_VALUES;
    d.purge_idempotency =
        "DELETE FROM idempotency_keys WHERE rowid IN "
        "(SELECT rowid FROM idempotency_keys WHERE completed = 1 AND created_at < ? LIMIT ?)";
    d.mark_published =
        "UPDATE outbox SET published_at = ?2 WHERE id IN (SELECT value FROM json_each(?1)) AND +published_at IS NULL";
    // The writer lock (BEGIN IMMEDIATE) already serialises write transactions.
    d.find_reservation_locked = d.find_reservation;
    d.expired_holds_locked =
        "SELECT id FROM reservations WHERE status = 'HELD' AND expires_at <= ? ORDER BY expires_at LIMIT ?";
    return d;
  }();
  return d;
}

}  // namespace concert::adapters::sqlite
