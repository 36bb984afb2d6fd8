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
#define SEATS_AMONG_IDS                                                                                    \
  " FROM seats WHERE schedule_id = ? AND id IN (SELECT j.id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT " \
  "PATH '$')) AS j) ORDER BY id"
    d.find_seats = "SELECT " SEAT_COLUMNS SEATS_AMONG_IDS;
    d.find_seats_to_hold = "SELECT " SEAT_COLUMNS ", " LIVE_SEATS_OF_FAN_COLUMN SEATS_AMONG_IDS;
#undef SEATS_AMONG_IDS
    // Joined, not "id IN (SELECT ... JSON_TABLE)": MariaDB runs that subquery per
    // row of the whole table and X-locks every seat it walks, so concurrent holds
    // deadlock. The join looks each seat up by primary key.
    d.hold_seats =
        "UPDATE seats s JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS j ON s.id = j.id "
        "SET s.status = 'HELD', s.reservation_id = ?, s.hold_expires_at = ?, s.version = s.version + 1 "
        "WHERE s.schedule_id = ? AND s.status = 'AVAILABLE'";
    d.retake_seats =
        "UPDATE seats s JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS j ON s.id = j.id "
        "SET s.status = 'SOLD', s.reservation_id = ?, s.hold_expires_at = NULL, s.version = s.version + 1 "
        "WHERE s.status = 'AVAILABLE'";
    d.insert_idempotency = "INSERT IGNORE " IDEMPOTENCY_INSERT_VALUES;
    d.heartbeat =
        "INSERT INTO instance_heartbeats (instance_id, seen_at) VALUES (?, ?) "
        "ON DUPLICATE KEY UPDATE seen_at = VALUES(seen_at)";
    d.insert_payment = "INSERT IGNORE " PAYMENT_INSERT_VALUES;
    d.insert_reservation = "INSERT IGNORE " RESERVATION_INSERT_VALUES;
    d.purge_idempotency = "DELETE FROM idempotency_keys WHERE completed = 1 AND created_at < ? LIMIT ?";
    d.mark_published =
        "UPDATE outbox o JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS j ON o.id = j.id "
        "SET o.published_at = ? WHERE o.published_at IS NULL";
    // A no-op upsert: it locks the fan's row (creating it once) until commit.
    d.lock_fan =
        "INSERT INTO fan_locks (schedule_id, user_id) VALUES (?, ?) ON DUPLICATE KEY UPDATE schedule_id = schedule_id";
    // The first statement of a payment's outcome: by primary key, as every other
    // writer locks a reservation first. Left to itself, MariaDB may walk the
    // status index of a small table first and deadlock with them.
    d.mark_paid =
        "UPDATE reservations FORCE INDEX (PRIMARY) SET status = 'PAID', pending_payment_id = NULL, "
        "version = version + 1 WHERE id = ? AND status = 'HELD' AND pending_payment_id = ?";
    d.find_reservation_locked = "SELECT " RESERVATION_WITH_SEATS_COLUMNS " FROM reservations WHERE id = ? FOR UPDATE";
    // Several instances sweep at once: each takes the rows nobody else is sweeping.
    d.expired_holds_locked =
        "SELECT id FROM reservations WHERE status = 'HELD' AND expires_at <= ? "
        "ORDER BY expires_at LIMIT ? FOR UPDATE SKIP LOCKED";
    return d;
  }();
  return d;
}

}  // namespace concert::adapters::mysql
