// Every statement of the SQLite adapter, named. Lists of ids are bound as one
// JSON array and expanded with json_each, so each statement is prepared once.
#pragma once

#include <string_view>

namespace concert::adapters::sqlite::sql {

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

inline constexpr std::string_view kInsertConcert = "INSERT INTO concerts (title) VALUES (?)";
inline constexpr std::string_view kFindConcert = "SELECT id, title FROM concerts WHERE id = ?";
inline constexpr std::string_view kListConcerts = "SELECT id, title FROM concerts ORDER BY id LIMIT 1000";
inline constexpr std::string_view kAnyConcert = "SELECT 1 FROM concerts LIMIT 1";

inline constexpr std::string_view kInsertSchedule =
    "INSERT INTO schedules (concert_id, starts_at, sales_open_at, sales_close_at, admit_per_second, max_active, "
    "active_ttl_seconds, waiting_idle_ttl_seconds, max_seats_per_user) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr std::string_view kFindSchedule = "SELECT " SCHEDULE_COLUMNS " FROM schedules WHERE id = ?";
inline constexpr std::string_view kListSchedules =
    "SELECT " SCHEDULE_COLUMNS " FROM schedules WHERE concert_id = ? ORDER BY starts_at, id";
inline constexpr std::string_view kListAllSchedules = "SELECT " SCHEDULE_COLUMNS " FROM schedules ORDER BY id";
inline constexpr std::string_view kUpdateQueueSettings =
    "UPDATE schedules SET admit_per_second = ?, max_active = ?, active_ttl_seconds = ?, waiting_idle_ttl_seconds = ? "
    "WHERE id = ?";

inline constexpr std::string_view kInsertSeat =
    "INSERT INTO seats (schedule_id, section, row_label, number, grade, price) VALUES (?, ?, ?, ?, ?, ?)";
inline constexpr std::string_view kListSeats = "SELECT " SEAT_COLUMNS " FROM seats WHERE schedule_id = ? ORDER BY id";
inline constexpr std::string_view kFindSeats =
    "SELECT " SEAT_COLUMNS " FROM seats WHERE schedule_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id";
inline constexpr std::string_view kHoldSeats =
    "UPDATE seats SET status = 'HELD', reservation_id = ?, hold_expires_at = ?, version = version + 1 "
    "WHERE schedule_id = ? AND status = 'AVAILABLE' AND id IN (SELECT value FROM json_each(?))";
inline constexpr std::string_view kSellHeldSeats =
    "UPDATE seats SET status = 'SOLD', hold_expires_at = NULL, version = version + 1 "
    "WHERE reservation_id = ? AND status = 'HELD'";
inline constexpr std::string_view kRetakeSeats =
    "UPDATE seats SET status = 'SOLD', reservation_id = ?, hold_expires_at = NULL, version = version + 1 "
    "WHERE status = 'AVAILABLE' AND id IN (SELECT value FROM json_each(?))";
inline constexpr std::string_view kReleaseSeats =
    "UPDATE seats SET status = 'AVAILABLE', reservation_id = NULL, hold_expires_at = NULL, version = version + 1 "
    "WHERE reservation_id = ? AND status = ?";

inline constexpr std::string_view kInsertReservation =
    "INSERT INTO reservations (schedule_id, user_id, status, amount, created_at, expires_at, idempotency_key, version) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr std::string_view kInsertReservationSeat =
    "INSERT INTO reservation_seats (reservation_id, seat_id) VALUES (?, ?)";
inline constexpr std::string_view kFindReservation = "SELECT " RESERVATION_COLUMNS " FROM reservations WHERE id = ?";
inline constexpr std::string_view kFindReservationByKey =
    "SELECT " RESERVATION_COLUMNS " FROM reservations WHERE user_id = ? AND idempotency_key = ?";
inline constexpr std::string_view kReservationSeats =
    "SELECT seat_id FROM reservation_seats WHERE reservation_id = ? ORDER BY seat_id";
inline constexpr std::string_view kListReservations =
    "SELECT " RESERVATION_COLUMNS " FROM reservations WHERE schedule_id = ? ORDER BY id";
inline constexpr std::string_view kScheduleReservationSeats =
    "SELECT rs.reservation_id, rs.seat_id FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id "
    "WHERE r.schedule_id = ? ORDER BY rs.reservation_id, rs.seat_id";
inline constexpr std::string_view kCountLiveSeats =
    "SELECT COUNT(*) FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id "
    "WHERE r.schedule_id = ? AND r.user_id = ? AND r.status IN ('HELD', 'PAID')";
inline constexpr std::string_view kTransitionReservation =
    "UPDATE reservations SET status = ?, version = version + 1 WHERE id = ? AND status = ?";
inline constexpr std::string_view kClaimForPayment =
    "UPDATE reservations SET pending_payment_id = ? "
    "WHERE id = ? AND status = 'HELD' AND (pending_payment_id IS NULL OR pending_payment_id = ?)";
inline constexpr std::string_view kClearPaymentClaim =
    "UPDATE reservations SET pending_payment_id = NULL WHERE id = ? AND pending_payment_id = ?";
inline constexpr std::string_view kExpiredHolds =
    "SELECT id FROM reservations WHERE status = 'HELD' AND expires_at <= ? ORDER BY expires_at LIMIT ?";

inline constexpr std::string_view kInsertPayment =
    "INSERT INTO payments_main (reservation_id, user_id, amount, status, idempotency_key, created_at, updated_at, "
    "version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr std::string_view kFindPayment = "SELECT " PAYMENT_COLUMNS " FROM payments_main WHERE id = ?";
inline constexpr std::string_view kFindPaymentByKey =
    "SELECT " PAYMENT_COLUMNS " FROM payments_main WHERE user_id = ? AND idempotency_key = ?";
inline constexpr std::string_view kPaymentsForReservation =
    "SELECT " PAYMENT_COLUMNS " FROM payments_main WHERE reservation_id = ? ORDER BY id";
inline constexpr std::string_view kPaymentsOfSchedule =
    "SELECT p.id, p.reservation_id, p.user_id, p.amount, p.status, p.idempotency_key, p.gateway_tx_id, p.created_at, "
    "p.updated_at, p.version FROM payments_main p JOIN reservations r ON r.id = p.reservation_id "
    "WHERE r.schedule_id = ? ORDER BY p.id";
inline constexpr std::string_view kTransitionPayment =
    "UPDATE payments_main SET status = ?, gateway_tx_id = COALESCE(?, gateway_tx_id), updated_at = ?, "
    "version = version + 1 WHERE id = ? AND status = ?";

inline constexpr std::string_view kInsertIdempotency =
    "INSERT OR IGNORE INTO idempotency_keys (user_id, scope, idem_key, request_hash, completed, response_status, "
    "response_body, created_at) VALUES (?, ?, ?, ?, 0, 0, '', ?)";
inline constexpr std::string_view kFindIdempotency =
    "SELECT user_id, scope, idem_key, request_hash, completed, response_status, response_body, created_at "
    "FROM idempotency_keys WHERE user_id = ? AND scope = ? AND idem_key = ?";
inline constexpr std::string_view kCompleteIdempotency =
    "UPDATE idempotency_keys SET completed = 1, response_status = ?, response_body = ? "
    "WHERE user_id = ? AND scope = ? AND idem_key = ?";
inline constexpr std::string_view kDeleteIdempotency =
    "DELETE FROM idempotency_keys WHERE user_id = ? AND scope = ? AND idem_key = ?";
inline constexpr std::string_view kPurgeIdempotency =
    "DELETE FROM idempotency_keys WHERE rowid IN "
    "(SELECT rowid FROM idempotency_keys WHERE completed = 1 AND created_at < ? LIMIT ?)";

inline constexpr std::string_view kInsertEvent =
    "INSERT INTO outbox (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)";
inline constexpr std::string_view kUnpublishedEvents =
    "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT ?";
inline constexpr std::string_view kListEvents = "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE id > ? ORDER BY id LIMIT ?";
inline constexpr std::string_view kMarkPublished =
    "UPDATE outbox SET published_at = ? WHERE published_at IS NULL AND id IN (SELECT value FROM json_each(?))";

#undef SEAT_COLUMNS
#undef SCHEDULE_COLUMNS
#undef RESERVATION_COLUMNS
#undef PAYMENT_COLUMNS
#undef OUTBOX_COLUMNS

}  // namespace concert::adapters::sqlite::sql
