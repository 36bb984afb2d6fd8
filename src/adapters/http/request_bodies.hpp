// The request inputs the routes read beyond the path: JSON bodies, and the one
// query parameter. Each reader is the whole of a route's input checking, so a
// route only calls it, and tests/fuzz/fuzz_request_bodies can feed them all
// arbitrary bytes. Errors are InvalidInput naming the field (json_input.hpp).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/admin.hpp"
#include "app/payments.hpp"
#include "domain/errors.hpp"
#include "domain/types.hpp"

namespace concert::http {

// POST /reservations: {"scheduleId": >= 1, "seatIds": up to 64 integers}
struct HoldBody {
  domain::Id schedule_id = 0;
  std::vector<domain::Id> seat_ids;
};
domain::Result<HoldBody> read_hold_body(const std::string& body);

// POST /payments: {"reservationId": >= 1}
struct PaymentBody {
  domain::Id reservation_id = 0;
};
domain::Result<PaymentBody> read_payment_body(const std::string& body);

// POST /webhooks/pg: {"paymentId": >= 1, "gatewayTxId": 1..128 characters,
// "outcome": "APPROVED" | "DECLINED", "amount": >= 0, "reason"?: 1..500 characters}
domain::Result<app::GatewayReport> read_pg_report(const std::string& body);

// POST /admin/concerts: {"title": 1..200 characters}
struct ConcertBody {
  std::string title;
};
domain::Result<ConcertBody> read_concert_body(const std::string& body);

// POST /admin/concerts/{id}/schedules: "startsAt", "salesOpenAt", "salesCloseAt"
// (RFC 3339), "sections": 1..100 of {"name": 1..64 characters, "grade": 1..32,
// "price": 0..100,000,000, "rows": 1..1000, "seatsPerRow": 1..1000}, "queue"?: the
// fields of read_queue_patch over `defaults`, "maxSeatsPerUser"?: 1..10.
domain::Result<app::NewSchedule> read_schedule_body(const std::string& body, const domain::QueueSettings& defaults);

// PATCH /admin/schedules/{id}/queue: "admitPerSecond", "maxActive",
// "activeTtlSeconds", "waitingIdleTtlSeconds", each optional and 1..1,000,000,
// over `current`. It takes the parsed object because the route answers a body
// that is not JSON at once, but an unknown schedule (404) before a bad field.
domain::Result<domain::QueueSettings> read_queue_patch(const nlohmann::json& body, domain::QueueSettings current);

// GET /admin/schedules/{id}/admissions?after=SEQ: SEQ >= 0 (at most 18 digits), 0 when absent.
domain::Result<std::int64_t> read_after_cursor(const std::string& target);

}  // namespace concert::http
