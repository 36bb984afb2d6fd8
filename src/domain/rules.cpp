#include "domain/rules.hpp"

#include <algorithm>
#include <set>

namespace concert::domain {

Result<void> validate_seat_request(std::span<const Id> seat_ids, int max_seats) {
  if (seat_ids.empty()) return fail(ErrorCode::BadSeats, "seatIds must name at least one seat");
  if (static_cast<int>(seat_ids.size()) > max_seats) {
    return fail(ErrorCode::BadSeats, "at most " + std::to_string(max_seats) + " seats per reservation");
  }
  std::set<Id> distinct(seat_ids.begin(), seat_ids.end());
  if (distinct.size() != seat_ids.size()) return fail(ErrorCode::BadSeats, "seatIds contains duplicates");
  if (*distinct.begin() <= 0) return fail(ErrorCode::BadSeats, "seat ids are positive integers");
  return {};
}

int admissions_allowed(const QueueSettings& q, int admitted_last_second, std::int64_t active) {
  const std::int64_t by_rate = q.admit_per_second - admitted_last_second;
  const std::int64_t by_capacity = q.max_active - active;
  return static_cast<int>(std::max<std::int64_t>(0, std::min(by_rate, by_capacity)));
}

std::int64_t eta_seconds(std::int64_t position, const QueueSettings& q) {
  if (position <= 0 || q.admit_per_second <= 0) return 0;
  return (position + q.admit_per_second - 1) / q.admit_per_second;
}

Result<void> validate_queue_settings(const QueueSettings& q) {
  if (q.admit_per_second < 1 || q.admit_per_second > 100'000) {
    return fail(ErrorCode::InvalidInput, "admitPerSecond must be between 1 and 100000");
  }
  if (q.max_active < 1 || q.max_active > 1'000'000) {
    return fail(ErrorCode::InvalidInput, "maxActive must be between 1 and 1000000");
  }
  if (q.active_ttl_seconds < 10 || q.active_ttl_seconds > 86'400) {
    return fail(ErrorCode::InvalidInput, "activeTtlSeconds must be between 10 and 86400");
  }
  if (q.waiting_idle_ttl_seconds < 5 || q.waiting_idle_ttl_seconds > 86'400) {
    return fail(ErrorCode::InvalidInput, "waitingIdleTtlSeconds must be between 5 and 86400");
  }
  return {};
}

bool sales_open(const Schedule& s, TimePoint now) { return now >= s.sales_open_at && now < s.sales_close_at; }

Payment pending_payment(const Reservation& r, const UserId& user, const std::string& idempotency_key, TimePoint now) {
  Payment p;
  p.reservation_id = r.id;
  p.user_id = user;
  p.amount = r.amount;
  p.status = PaymentStatus::Pending;
  p.idempotency_key = idempotency_key;
  p.created_at = p.updated_at = now;
  p.version = 1;
  return p;
}

}  // namespace concert::domain
