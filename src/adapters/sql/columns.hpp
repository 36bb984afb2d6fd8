// Column lists shared by every dialect; the row mappers in rows.hpp read them
// in this order.
#pragma once

#define SEAT_COLUMNS "id, schedule_id, section, row_label, number, grade, price, status, reservation_id, hold_expires_at, version"
#define SCHEDULE_COLUMNS                                                                                      \
  "id, concert_id, starts_at, sales_open_at, sales_close_at, admit_per_second, max_active, active_ttl_seconds, " \
  "waiting_idle_ttl_seconds, max_seats_per_user"
#define RESERVATION_COLUMNS \
  "id, schedule_id, user_id, status, amount, created_at, expires_at, pending_payment_id, idempotency_key, version"
#define PAYMENT_COLUMNS \
  "id, reservation_id, user_id, amount, status, idempotency_key, gateway_tx_id, created_at, updated_at, version"
#define OUTBOX_COLUMNS \
  "id, event_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload, created_at, published_at"
