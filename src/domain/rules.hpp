// Pure business rules, testable without any adapter.
#pragma once

#include <span>

#include "domain/errors.hpp"
#include "domain/types.hpp"

namespace concert::domain {

// 1..max_seats distinct positive seat ids.
Result<void> validate_seat_request(std::span<const Id> seat_ids, int max_seats);

// How many waiting fans may be promoted now: never more than admit_per_second in
// any one-second window (admitted_last_second counts that window), never more than
// max_active at once.
int admissions_allowed(const QueueSettings& q, int admitted_last_second, std::int64_t active);

// Seconds until a fan at `position` is admitted at the configured rate.
std::int64_t eta_seconds(std::int64_t position, const QueueSettings& q);

// Queue settings a schedule may run with.
Result<void> validate_queue_settings(const QueueSettings& q);

bool sales_open(const Schedule& s, TimePoint now);

// A new payment for the reservation's amount: PENDING, version 1, not yet stored (id 0).
Payment pending_payment(const Reservation& r, const UserId& user, const std::string& idempotency_key, TimePoint now);

}  // namespace concert::domain
