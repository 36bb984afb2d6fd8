// The SQLite dialect of the shared SQL transaction (adapters/sql/sql_tx.hpp).
#include "adapters/sqlite/dialect.hpp"

#include "adapters/sql/columns.hpp"

namespace concert::adapters::sqlite {

const sql::Dialect& sqlite_dialect() {
  static const sql::Dialect d{
      .begin_read = "BEGIN",
      .begin_write = "BEGIN IMMEDIATE",
      .insert_concert = "INSERT INTO concerts (title) VALUES (?)",
      .find_concert = "SELECT id, title FROM concerts WHERE id = ?",
      .list_concerts = "SELECT id, title FROM concerts ORDER BY id LIMIT 1000",
      .any_concert = "SELECT 1 FROM concerts LIMIT 1",
      .insert_schedule = "INSERT INTO schedules (concert_id, starts_at, sales_open_at, sales_close_at, admit_per_second, max_active, "
    "active_ttl_seconds, waiting_idle_ttl_seconds, max_seats_per_user) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      .find_schedule = "SELECT " SCHEDULE_COLUMNS " FROM schedules WHERE id = ?",
      .list_schedules = "SELECT " SCHEDULE_COLUMNS " FROM schedules WHERE concert_id = ? ORDER BY starts_at, id",
      .list_all_schedules = "SELECT " SCHEDULE_COLUMNS " FROM schedules ORDER BY id",
      .update_queue_settings = "UPDATE schedules SET admit_per_second = ?, max_active = ?, active_ttl_seconds = ?, waiting_idle_ttl_seconds = ? "
    "WHERE id = ?",
      .insert_seat = "INSERT INTO seats (schedule_id, section, row_label, number, grade, price) VALUES (?, ?, ?, ?, ?, ?)",
      .list_seats = "SELECT " SEAT_COLUMNS " FROM seats WHERE schedule_id = ? ORDER BY id",
      .find_seats = "SELECT " SEAT_COLUMNS " FROM seats WHERE schedule_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id",
      .hold_seats = "UPDATE seats SET status = 'HELD', reservation_id = ?, hold_expires_at = ?, version = version + 1 "
    "WHERE schedule_id = ? AND status = 'AVAILABLE' AND id IN (SELECT value FROM json_each(?))",
      .sell_held_seats = "UPDATE seats SET status = 'SOLD', hold_expires_at = NULL, version = version + 1 "
    "WHERE reservation_id = ? AND status = 'HELD'",
      .retake_seats = "UPDATE seats SET status = 'SOLD', reservation_id = ?, hold_expires_at = NULL, version = version + 1 "
    "WHERE status = 'AVAILABLE' AND id IN (SELECT value FROM json_each(?))",
      .release_seats = "UPDATE seats SET status = 'AVAILABLE', reservation_id = NULL, hold_expires_at = NULL, version = version + 1 "
    "WHERE reservation_id = ? AND status = ?",
      .insert_reservation = "INSERT INTO reservations (schedule_id, user_id, status, amount, created_at, expires_at, idempotency_key, version) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      .insert_reservation_seat = "INSERT INTO reservation_seats (reservation_id, seat_id) VALUES (?, ?)",
      .find_reservation = "SELECT " RESERVATION_COLUMNS " FROM reservations WHERE id = ?",
      .find_reservation_by_key = "SELECT " RESERVATION_COLUMNS " FROM reservations WHERE user_id = ? AND idempotency_key = ?",
      .reservation_seats = "SELECT seat_id FROM reservation_seats WHERE reservation_id = ? ORDER BY seat_id",
      .list_reservations = "SELECT " RESERVATION_COLUMNS " FROM reservations WHERE schedule_id = ? ORDER BY id",
      .schedule_reservation_seats = "SELECT rs.reservation_id, rs.seat_id FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id "
    "WHERE r.schedule_id = ? ORDER BY rs.reservation_id, rs.seat_id",
      .count_live_seats = "SELECT COUNT(*) FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id "
    "WHERE r.schedule_id = ? AND r.user_id = ? AND r.status IN ('HELD', 'PAID')",
      .transition_reservation = "UPDATE reservations SET status = ?, version = version + 1 WHERE id = ? AND status = ?",
      .claim_for_payment = "UPDATE reservations SET pending_payment_id = ? "
    "WHERE id = ? AND status = 'HELD' AND (pending_payment_id IS NULL OR pending_payment_id = ?)",
      .clear_payment_claim = "UPDATE reservations SET pending_payment_id = NULL WHERE id = ? AND pending_payment_id = ?",
      .expired_holds = "SELECT id FROM reservations WHERE status = 'HELD' AND expires_at <= ? ORDER BY expires_at LIMIT ?",
      .insert_payment = "INSERT INTO payments_main (reservation_id, user_id, amount, status, idempotency_key, created_at, updated_at, "
    "version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      .find_payment = "SELECT " PAYMENT_COLUMNS " FROM payments_main WHERE id = ?",
      .find_payment_by_key = "SELECT " PAYMENT_COLUMNS " FROM payments_main WHERE user_id = ? AND idempotency_key = ?",
      .payments_for_reservation = "SELECT " PAYMENT_COLUMNS " FROM payments_main WHERE reservation_id = ? ORDER BY id",
      .payments_of_schedule = "SELECT p.id, p.reservation_id, p.user_id, p.amount, p.status, p.idempotency_key, p.gateway_tx_id, p.created_at, "
    "p.updated_at, p.version FROM payments_main p JOIN reservations r ON r.id = p.reservation_id "
    "WHERE r.schedule_id = ? ORDER BY p.id",
      .transition_payment = "UPDATE payments_main SET status = ?, gateway_tx_id = COALESCE(?, gateway_tx_id), updated_at = ?, "
    "version = version + 1 WHERE id = ? AND status = ?",
      .insert_idempotency = "INSERT OR IGNORE INTO idempotency_keys (user_id, scope, idem_key, request_hash, completed, response_status, "
    "response_body, created_at) VALUES (?, ?, ?, ?, 0, 0, '', ?)",
      .find_idempotency = "SELECT user_id, scope, idem_key, request_hash, completed, response_status, response_body, created_at "
    "FROM idempotency_keys WHERE user_id = ? AND scope = ? AND idem_key = ?",
      .complete_idempotency = "UPDATE idempotency_keys SET completed = 1, response_status = ?, response_body = ? "
    "WHERE user_id = ? AND scope = ? AND idem_key = ?",
      .delete_idempotency = "DELETE FROM idempotency_keys WHERE user_id = ? AND scope = ? AND idem_key = ?",
      .purge_idempotency = "DELETE FROM idempotency_keys WHERE rowid IN "
    "(SELECT rowid FROM idempotency_keys WHERE completed = 1 AND created_at < ? LIMIT ?)",
      .insert_event = "INSERT INTO outbox (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)",
      .unpublished_events = "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT ?",
      .list_events = "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE id > ? ORDER BY id LIMIT ?",
      .mark_published = "UPDATE outbox SET published_at = ? WHERE published_at IS NULL AND id IN (SELECT value FROM json_each(?))",
      // The writer lock (BEGIN IMMEDIATE) already serialises every write transaction.
      .find_reservation_locked = "SELECT " RESERVATION_COLUMNS " FROM reservations WHERE id = ?",
      .expired_holds_locked =
          "SELECT id FROM reservations WHERE status = 'HELD' AND expires_at <= ? ORDER BY expires_at LIMIT ?",
  };
  return d;
}

}  // namespace concert::adapters::sqlite
