// Entities of SPEC §3 as plain structs. No I/O here: the domain compiles without
// any database, network or JSON header.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace concert::domain {

using Id = std::int64_t;
using UserId = std::string;
// Milliseconds since the Unix epoch, UTC. Stored as BIGINT in every database so the
// two dialects agree exactly.
using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;
using Millis = std::chrono::milliseconds;
using Money = std::int64_t;  // integer KRW

enum class SeatStatus { Available, Held, Sold };
enum class ReservationStatus { Held, Paid, Expired, Cancelled, Refunded };
// RefundPending / VoidPending: a refund (asked for, or of a late approval that
// could not be honoured) is decided and its event written; the gateway has not
// confirmed it yet (SPEC §3: entered before the gateway is called).
enum class PaymentStatus { Pending, Approved, Declined, Failed, RefundPending, Refunded, VoidPending, Voided };
enum class TokenStatus { Waiting, Active, Used, Expired, Left };

struct QueueSettings {
  int admit_per_second = 50;
  int max_active = 500;
  int active_ttl_seconds = 600;
  int waiting_idle_ttl_seconds = 120;
};

struct Concert {
  Id id = 0;
  std::string title;
};

struct Schedule {
  Id id = 0;
  Id concert_id = 0;
  TimePoint starts_at;
  TimePoint sales_open_at;
  TimePoint sales_close_at;
  QueueSettings queue;
  int max_seats_per_user = 4;
};

struct Seat {
  Id id = 0;
  Id schedule_id = 0;
  std::string section;
  std::string row;
  int number = 0;
  std::string grade;
  Money price = 0;
  SeatStatus status = SeatStatus::Available;
  std::optional<Id> reservation_id;
  std::optional<TimePoint> hold_expires_at;
  std::int64_t version = 0;
};

struct Reservation {
  Id id = 0;
  Id schedule_id = 0;
  UserId user_id;
  ReservationStatus status = ReservationStatus::Held;
  std::vector<Id> seat_ids;
  Money amount = 0;
  TimePoint created_at;
  TimePoint expires_at;
  std::optional<Id> pending_payment_id;  // a payment at the gateway right now
  std::string idempotency_key;
  std::int64_t version = 1;  // bumped on every state change; one outbox event each
};

struct Payment {
  Id id = 0;
  Id reservation_id = 0;
  UserId user_id;
  Money amount = 0;
  PaymentStatus status = PaymentStatus::Pending;
  std::string idempotency_key;
  std::optional<std::string> gateway_tx_id;
  TimePoint created_at;
  TimePoint updated_at;
  std::int64_t version = 1;
};

struct QueueToken {
  std::string token;
  Id schedule_id = 0;
  UserId user_id;
  TokenStatus status = TokenStatus::Waiting;
  // 1-based place among waiting fans; empty while in the pre-queue before opening
  // (its order is drawn at opening) and once active.
  std::optional<std::int64_t> position;
  std::optional<TimePoint> active_until;
  TimePoint entered_at;
};

std::string_view to_string(SeatStatus s);
std::string_view to_string(ReservationStatus s);
std::string_view to_string(PaymentStatus s);
std::string_view to_string(TokenStatus s);
std::optional<SeatStatus> seat_status_from(std::string_view s);
std::optional<ReservationStatus> reservation_status_from(std::string_view s);
std::optional<PaymentStatus> payment_status_from(std::string_view s);

}  // namespace concert::domain
