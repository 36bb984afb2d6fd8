// Column lists shared by every dialect; the row mappers in rows.hpp read them
// in this order.
#pragma once

#define SEAT_COLUMNS \
  "id, schedule_id, section, row_label, number, grade, price, status, reservation_id, hold_expires_at, version"
#define SCHEDULE_COLUMNS                                                                                         \
  "id, concert_id, starts_at, sales_open_at, sales_close_at, admit_per_second, max_active, active_ttl_seconds, " \
  "waiting_idle_ttl_seconds, max_seats_per_user"
#define RESERVATION_COLUMNS \
  "id, schedule_id, user_id, status, amount, created_at, expires_at, pending_payment_id, idempotency_key, version"
// RESERVATION_COLUMNS followed by the reservation's seat ids as "12,13" (one
// round trip instead of two; rows.hpp sorts them). Both dialects spell it alike.
#define RESERVATION_WITH_SEATS_COLUMNS                            \
  RESERVATION_COLUMNS                                             \
  ", (SELECT GROUP_CONCAT(rs.seat_id) FROM reservation_seats rs " \
  "WHERE rs.reservation_id = reservations.id)"
// What follows each dialect's own "INSERT IGNORE" / "INSERT OR IGNORE": a row a
// UNIQUE key may already hold is left as it is.
#define RESERVATION_INSERT_VALUES                                                                               \
  "INTO reservations (schedule_id, user_id, status, amount, created_at, expires_at, idempotency_key, version) " \
  "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
#define PAYMENT_INSERT_VALUES                                                                                       \
  "INTO payments_main (reservation_id, user_id, amount, status, idempotency_key, created_at, updated_at, version) " \
  "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
#define IDEMPOTENCY_INSERT_VALUES                                                                              \
  "INTO idempotency_keys (user_id, scope, idem_key, request_hash, completed, response_status, response_body, " \
  "created_at, owner) VALUES (?, ?, ?, ?, 0, 0, '', ?, ?)"
// A seat row's extra column for SeatsToHold: parameters schedule id, user id.
#define LIVE_SEATS_OF_FAN_COLUMN                                                                \
  "(SELECT COUNT(*) FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id " \
  "WHERE r.schedule_id = ? AND r.user_id = ? AND r.status IN ('HELD', 'PAID'))"
#define PAYMENT_COLUMNS \
  "id, reservation_id, user_id, amount, status, idempotency_key, gateway_tx_id, created_at, updated_at, version"
#define OUTBOX_COLUMNS                                                                                             \
  "id, event_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload, created_at, published_at, " \
  "trace_id"
