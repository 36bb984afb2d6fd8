// The statements every supported dialect writes the same way (plain SQL over the
// columns in columns.hpp). Each dialect starts from these and sets the rest:
// transaction starts, id-list expansion, insert-or-ignore, locking reads.
#pragma once

#include "adapters/sql/columns.hpp"
#include "adapters/sql/dialect.hpp"

namespace concert::adapters::sql {

inline Dialect standard_dialect() {
  Dialect d;
  d.insert_concert = "INSERT INTO concerts (title) VALUES (?)";
  d.find_concert = "SELECT id, title FROM concerts WHERE id = ?";
  d.list_concerts = "SELECT id, title FROM concerts ORDER BY id LIMIT 1000";
  d.any_concert = "SELECT 1 FROM concerts LIMIT 1";
  d.insert_schedule =
      "INSERT INTO schedules (concert_id, starts_at, sales_open_at, sales_close_at, admit_per_second, max_active, "
      "active_ttl_seconds, waiting_idle_ttl_seconds, max_seats_per_user) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
  d.find_schedule = "SELECT " SCHEDULE_COLUMNS " FROM schedules WHERE id = ?";
  d.list_schedules = "SELECT " SCHEDULE_COLUMNS " FROM schedules WHERE concert_id = ? ORDER BY starts_at, id";
  d.list_all_schedules = "SELECT " SCHEDULE_COLUMNS " FROM schedules ORDER BY id";
  d.update_queue_settings =
      "UPDATE schedules SET admit_per_second = ?, max_active = ?, active_ttl_seconds = ?, waiting_idle_ttl_seconds = ? "
      "WHERE id = ?";
  d.insert_seat = "INSERT INTO seats (schedule_id, section, row_label, number, grade, price) VALUES (?, ?, ?, ?, ?, ?)";
  d.list_seats = "SELECT " SEAT_COLUMNS " FROM seats WHERE schedule_id = ? ORDER BY id";
  d.sell_held_seats =
      "UPDATE seats SET status = 'SOLD', hold_expires_at = NULL, version = version + 1 "
      "WHERE reservation_id = ? AND status = 'HELD'";
  d.release_seats =
      "UPDATE seats SET status = 'AVAILABLE', reservation_id = NULL, hold_expires_at = NULL, version = version + 1 "
      "WHERE reservation_id = ? AND status = ?";
  d.insert_reservation_seat = "INSERT INTO reservation_seats (reservation_id, seat_id) VALUES (?, ?)";
  d.find_reservation = "SELECT " RESERVATION_WITH_SEATS_COLUMNS " FROM reservations WHERE id = ?";
  d.find_reservation_by_key =
      "SELECT " RESERVATION_WITH_SEATS_COLUMNS " FROM reservations WHERE user_id = ? AND idempotency_key = ?";
  d.list_reservations = "SELECT " RESERVATION_COLUMNS " FROM reservations WHERE schedule_id = ? ORDER BY id";
  d.schedule_reservation_seats =
      "SELECT rs.reservation_id, rs.seat_id FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id "
      "WHERE r.schedule_id = ? ORDER BY rs.reservation_id, rs.seat_id";
  d.transition_reservation = "UPDATE reservations SET status = ?, version = version + 1 WHERE id = ? AND status = ?";
  d.claim_for_payment =
      "UPDATE reservations SET pending_payment_id = ? "
      "WHERE id = ? AND status = 'HELD' AND (pending_payment_id IS NULL OR pending_payment_id = ?)";
  d.clear_payment_claim = "UPDATE reservations SET pending_payment_id = NULL WHERE id = ? AND pending_payment_id = ?";
  d.mark_paid =
      "UPDATE reservations SET status = 'PAID', pending_payment_id = NULL, version = version + 1 "
      "WHERE id = ? AND status = 'HELD' AND pending_payment_id = ?";
  d.expired_holds = "SELECT id FROM reservations WHERE status = 'HELD' AND expires_at <= ? ORDER BY expires_at LIMIT ?";
  d.find_payment = "SELECT " PAYMENT_COLUMNS " FROM payments_main WHERE id = ?";
  d.find_payment_by_key = "SELECT " PAYMENT_COLUMNS " FROM payments_main WHERE user_id = ? AND idempotency_key = ?";
  d.payments_for_reservation = "SELECT " PAYMENT_COLUMNS " FROM payments_main WHERE reservation_id = ? ORDER BY id";
  // Served by payments_by_status_updated (schema mysql/004, sqlite/002).
  d.payments_in_status = "SELECT " PAYMENT_COLUMNS
                         " FROM payments_main WHERE status = ? AND updated_at < ? ORDER BY updated_at, id LIMIT ?";
  d.payments_of_schedule =
      "SELECT p.id, p.reservation_id, p.user_id, p.amount, p.status, p.idempotency_key, p.gateway_tx_id, p.created_at, "
      "p.updated_at, p.version FROM payments_main p JOIN reservations r ON r.id = p.reservation_id "
      "WHERE r.schedule_id = ? ORDER BY p.id";
  d.transition_payment =
      "UPDATE payments_main SET status = ?, gateway_tx_id = COALESCE(?, gateway_tx_id), updated_at = ?, "
      "version = version + 1 WHERE id = ? AND status = ?";
  d.find_idempotency =
      "SELECT user_id, scope, idem_key, request_hash, completed, response_status, response_body, created_at, owner "
      "FROM idempotency_keys WHERE user_id = ? AND scope = ? AND idem_key = ?";
  d.last_heartbeat = "SELECT seen_at FROM instance_heartbeats WHERE instance_id = ?";
  // Rows of instances gone for a day; an instance's own row is refreshed every beat.
  d.forget_heartbeats = "DELETE FROM instance_heartbeats WHERE seen_at < ?";
  d.complete_idempotency =
      "UPDATE idempotency_keys SET completed = 1, response_status = ?, response_body = ? "
      "WHERE user_id = ? AND scope = ? AND idem_key = ?";
  d.delete_idempotency = "DELETE FROM idempotency_keys WHERE user_id = ? AND scope = ? AND idem_key = ?";
  d.insert_event =
      "INSERT INTO outbox (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload, created_at, "
      "trace_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
  d.unpublished_events = "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT ?";
  d.list_events = "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE id > ? ORDER BY id LIMIT ?";
  // One statement, one snapshot: the figures agree with each other.
  d.sale_totals =
      "SELECT (SELECT COUNT(*) FROM reservations), "
      "(SELECT COUNT(*) FROM reservations WHERE status = 'EXPIRED'), "
      "(SELECT COUNT(*) FROM payments_main WHERE status IN ('APPROVED', 'REFUND_PENDING', 'REFUNDED')), "
      "(SELECT COUNT(*) FROM payments_main WHERE status IN ('DECLINED', 'FAILED', 'VOID_PENDING', 'VOIDED')), "
      "(SELECT COUNT(*) FROM outbox WHERE published_at IS NOT NULL), "
      "(SELECT COUNT(*) FROM outbox WHERE published_at IS NULL)";
  return d;
}

}  // namespace concert::adapters::sql
