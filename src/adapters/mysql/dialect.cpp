// The MySQL 8 / MariaDB >= 10.6 dialect of the shared SQL transaction
// (adapters/sql/sql_tx.hpp): JSON_TABLE for id lists, INSERT IGNORE, locking
// reads (FOR UPDATE, SKIP LOCKED) where a write transaction decides on what it read.
#include "adapters/mysql/dialect.hpp"

#include "adapters/sql/standard_dialect.hpp"

namespace concert::adapters::mysql {

const sql::Dialect& mysql_dialect() {
  static const sql::Dialect d = [] {
    auto d = sql::standard_dialect();
    d.begin_read = "START TRANSACTION READ ONLY";
    d.begin_write = "START TRANSACTION";
    d.find_seats = "SELECT " SEAT_COLUMNS
                   " FROM seats WHERE schedule_id = ? AND id IN (SELECT j.id FROM JSON_TABLE(?, '$[*]' COLUMNS (id "
                   "BIGINT PATH '$')) AS j) ORDER BY id";
    d.hold_seats =
        "UPDATE seats SET status = 'HELD', reservation_id = ?, hold_expires_at = ?, version = version + 1 "
        "WHERE schedule_id = ? AND status = 'AVAILABLE' AND id IN (SELECT j.id FROM JSON_TABLE(?, '$[*]' COLUMNS (id "
        "BIGINT PATH '$')) AS j)";
    d.retake_seats =
        "UPDATE seats SET status = 'SOLD', reservation_id = ?, hold_expires_at = NULL, version = version + 1 "
        "WHERE status = 'AVAILABLE' AND id IN (SELECT j.id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS "
        "j)";
    d.insert_idempotency =
        "INSERT IGNORE INTO idempotency_keys (user_id, scope, idem_key, request_hash, completed, response_status, "
        "response_body, created_at) VALUES (?, ?, ?, ?, 0, 0, '', ?)";
    d.purge_idempotency = "DELETE FROM idempotency_keys WHERE completed = 1 AND created_at < ? LIMIT ?";
    d.mark_published =
        "UPDATE outbox SET published_at = ? WHERE published_at IS NULL AND id IN (SELECT j.id FROM JSON_TABLE(?, "
        "'$[*]' COLUMNS (id BIGINT PATH '$')) AS j)";
    // A no-op upsert: it locks the fan's row (creating it once) until commit.
    d.lock_fan =
        "INSERT INTO fan_locks (schedule_id, user_id) VALUES (?, ?) ON DUPLICATE KEY UPDATE schedule_id = schedule_id";
    d.find_reservation_locked = "SELECT " RESERVATION_COLUMNS " FROM reservations WHERE id = ? FOR UPDATE";
    // Several instances sweep at once: each takes the rows nobody else is sweeping.
    d.expired_holds_locked =
        "SELECT id FROM reservations WHERE status = 'HELD' AND expires_at <= ? "
        "ORDER BY expires_at LIMIT ? FOR UPDATE SKIP LOCKED";
    return d;
  }();
  return d;
}

}  // namespace concert::adapters::mysql
