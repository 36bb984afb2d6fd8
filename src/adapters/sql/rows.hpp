// Row -> struct mapping shared by the SQL adapters (column order: columns.hpp).
// A Row offers int64(i), text(i), is_null(i), optional_int64(i), optional_text(i).
#pragma once

#include <algorithm>
#include <charconv>
#include <optional>
#include <span>
#include <string>

#include "domain/events.hpp"
#include "domain/types.hpp"
#include "ports/store.hpp"

namespace concert::adapters::sql {

template <typename E>
E parse_status(std::optional<E> parsed, const std::string& text) {
  if (!parsed) throw ports::StoreUnavailable("unknown status '" + text + "' in the database");
  return *parsed;
}

inline std::int64_t ms(domain::TimePoint t) { return t.time_since_epoch().count(); }

inline domain::TimePoint time_from(std::int64_t ms) { return domain::TimePoint(domain::Millis(ms)); }

template <typename Row>
domain::Seat seat_from(const Row& s) {
  domain::Seat seat;
  seat.id = s.int64(0);
  seat.schedule_id = s.int64(1);
  seat.section = s.text(2);
  seat.row = s.text(3);
  seat.number = static_cast<int>(s.int64(4));
  seat.grade = s.text(5);
  seat.price = s.int64(6);
  const auto status = s.text(7);
  seat.status = parse_status(domain::seat_status_from(status), status);
  seat.reservation_id = s.optional_int64(8);
  if (auto t = s.optional_int64(9)) seat.hold_expires_at = time_from(*t);
  seat.version = s.int64(10);
  return seat;
}

template <typename Row>
domain::Schedule schedule_from(const Row& s) {
  domain::Schedule sc;
  sc.id = s.int64(0);
  sc.concert_id = s.int64(1);
  sc.starts_at = time_from(s.int64(2));
  sc.sales_open_at = time_from(s.int64(3));
  sc.sales_close_at = time_from(s.int64(4));
  sc.queue.admit_per_second = static_cast<int>(s.int64(5));
  sc.queue.max_active = static_cast<int>(s.int64(6));
  sc.queue.active_ttl_seconds = static_cast<int>(s.int64(7));
  sc.queue.waiting_idle_ttl_seconds = static_cast<int>(s.int64(8));
  sc.max_seats_per_user = static_cast<int>(s.int64(9));
  return sc;
}

template <typename Row>
domain::Reservation reservation_from(const Row& s) {
  domain::Reservation r;
  r.id = s.int64(0);
  r.schedule_id = s.int64(1);
  r.user_id = s.text(2);
  const auto status = s.text(3);
  r.status = parse_status(domain::reservation_status_from(status), status);
  r.amount = s.int64(4);
  r.created_at = time_from(s.int64(5));
  r.expires_at = time_from(s.int64(6));
  r.pending_payment_id = s.optional_int64(7);
  r.idempotency_key = s.text(8);
  r.version = s.int64(9);
  return r;
}

// reservation_from plus column 10 of RESERVATION_WITH_SEATS_COLUMNS: "12,13".
template <typename Row>
domain::Reservation reservation_with_seats_from(const Row& s) {
  auto r = reservation_from(s);
  const auto ids = s.optional_text(10).value_or("");
  const char* at = ids.data();
  const char* const end = at + ids.size();
  while (at < end) {
    domain::Id id = 0;
    const auto parsed = std::from_chars(at, end, id);
    if (parsed.ec != std::errc{}) throw ports::StoreUnavailable("bad seat id list '" + ids + "' in the database");
    r.seat_ids.push_back(id);
    at = parsed.ptr;
    if (at < end) ++at;  // the comma
  }
  std::sort(r.seat_ids.begin(), r.seat_ids.end());
  return r;
}

template <typename Row>
domain::Payment payment_from(const Row& s) {
  domain::Payment p;
  p.id = s.int64(0);
  p.reservation_id = s.int64(1);
  p.user_id = s.text(2);
  p.amount = s.int64(3);
  const auto status = s.text(4);
  p.status = parse_status(domain::payment_status_from(status), status);
  p.idempotency_key = s.text(5);
  p.gateway_tx_id = s.optional_text(6);
  p.created_at = time_from(s.int64(7));
  p.updated_at = time_from(s.int64(8));
  p.version = s.int64(9);
  return p;
}

template <typename Row>
domain::OutboxEvent event_from(const Row& s) {
  domain::OutboxEvent e;
  e.id = s.int64(0);
  e.event_id = s.text(1);
  e.event.aggregate_type = s.text(2);
  e.event.aggregate_id = s.int64(3);
  e.event.aggregate_version = s.int64(4);
  e.event.event_type = s.text(5);
  e.event.payload = s.text(6);
  e.created_at = time_from(s.int64(7));
  e.published = !s.is_null(8);
  if (!s.is_null(9)) e.event.trace_id = s.text(9);
  return e;
}

inline std::string json_id_list(std::span<const domain::Id> ids) {
  std::string out = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "]";
}

}  // namespace concert::adapters::sql
