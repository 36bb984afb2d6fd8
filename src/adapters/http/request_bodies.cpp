#include "adapters/http/request_bodies.hpp"

#include "adapters/http/json_input.hpp"
#include "app/views.hpp"

namespace concert::http {

using domain::ErrorCode;
using domain::fail;

namespace {

domain::Result<domain::TimePoint> get_time(const nlohmann::json& obj, const char* field) {
  auto text = get_string(obj, field, 64);
  if (!text) return tl::unexpected(text.error());
  auto t = app::parse_rfc3339(*text);
  if (!t)
    return fail(ErrorCode::InvalidInput, std::string(field) + " must be an RFC 3339 time, e.g. 2026-12-24T19:00:00Z");
  return *t;
}

domain::Result<app::SectionLayout> read_section(const nlohmann::json& sec) {
  if (!sec.is_object()) return fail(ErrorCode::InvalidInput, "each section must be an object");
  auto name = get_string(sec, "name", 64);
  auto grade = get_string(sec, "grade", 32);
  auto price = get_int(sec, "price", 0, 100'000'000);
  auto rows = get_int(sec, "rows", 1, 1000);
  auto per_row = get_int(sec, "seatsPerRow", 1, 1000);
  if (!name) return tl::unexpected(name.error());
  if (!grade) return tl::unexpected(grade.error());
  if (!price) return tl::unexpected(price.error());
  if (!rows) return tl::unexpected(rows.error());
  if (!per_row) return tl::unexpected(per_row.error());
  return app::SectionLayout{*name, *grade, *price, static_cast<int>(*rows), static_cast<int>(*per_row)};
}

}  // namespace

domain::Result<HoldBody> read_hold_body(const std::string& body) {
  auto obj = parse_object(body);
  if (!obj) return tl::unexpected(obj.error());
  auto schedule_id = get_int(*obj, "scheduleId", 1, INT64_MAX);
  if (!schedule_id) return tl::unexpected(schedule_id.error());
  auto seat_ids = get_id_list(*obj, "seatIds", 64);
  if (!seat_ids) return tl::unexpected(seat_ids.error());
  return HoldBody{*schedule_id, std::move(*seat_ids)};
}

domain::Result<PaymentBody> read_payment_body(const std::string& body) {
  auto obj = parse_object(body);
  if (!obj) return tl::unexpected(obj.error());
  auto reservation_id = get_int(*obj, "reservationId", 1, INT64_MAX);
  if (!reservation_id) return tl::unexpected(reservation_id.error());
  return PaymentBody{*reservation_id};
}

domain::Result<app::GatewayReport> read_pg_report(const std::string& body) {
  auto obj = parse_object(body);
  if (!obj) return tl::unexpected(obj.error());
  auto payment_id = get_int(*obj, "paymentId", 1, INT64_MAX);
  if (!payment_id) return tl::unexpected(payment_id.error());
  auto tx = get_string(*obj, "gatewayTxId", 128);
  if (!tx) return tl::unexpected(tx.error());
  auto outcome = get_string(*obj, "outcome", 16);
  if (!outcome) return tl::unexpected(outcome.error());
  if (*outcome != "APPROVED" && *outcome != "DECLINED") {
    return fail(ErrorCode::InvalidInput, "outcome must be APPROVED or DECLINED");
  }
  auto amount = get_int(*obj, "amount", 0, INT64_MAX);
  if (!amount) return tl::unexpected(amount.error());
  app::GatewayReport report{*payment_id, *tx, *outcome == "APPROVED", *amount, ""};
  if (obj->contains("reason")) {
    auto reason = get_string(*obj, "reason", 500);
    if (!reason) return tl::unexpected(reason.error());
    report.reason = *reason;
  }
  return report;
}

domain::Result<ConcertBody> read_concert_body(const std::string& body) {
  auto obj = parse_object(body);
  if (!obj) return tl::unexpected(obj.error());
  auto title = get_string(*obj, "title", 200);
  if (!title) return tl::unexpected(title.error());
  return ConcertBody{*title};
}

domain::Result<app::NewSchedule> read_schedule_body(const std::string& body, const domain::QueueSettings& defaults) {
  auto obj = parse_object(body);
  if (!obj) return tl::unexpected(obj.error());
  app::NewSchedule s;
  auto starts = get_time(*obj, "startsAt");
  auto opens = get_time(*obj, "salesOpenAt");
  auto closes = get_time(*obj, "salesCloseAt");
  for (auto* t : {&starts, &opens, &closes}) {
    if (!*t) return tl::unexpected(t->error());
  }
  s.starts_at = *starts;
  s.sales_open_at = *opens;
  s.sales_close_at = *closes;
  auto sections = obj->find("sections");
  if (sections == obj->end() || !sections->is_array() || sections->empty() || sections->size() > 100) {
    return fail(ErrorCode::InvalidInput, "sections must be an array of 1..100 sections");
  }
  for (const auto& sec : *sections) {
    auto section = read_section(sec);
    if (!section) return tl::unexpected(section.error());
    s.sections.push_back(std::move(*section));
  }
  if (auto q = obj->find("queue"); q != obj->end() && !q->is_null()) {
    if (!q->is_object()) return fail(ErrorCode::InvalidInput, "queue must be an object");
    auto merged = read_queue_patch(*q, defaults);
    if (!merged) return tl::unexpected(merged.error());
    s.queue = *merged;
  }
  auto max_seats = get_optional_int(*obj, "maxSeatsPerUser", 1, 10);
  if (!max_seats) return tl::unexpected(max_seats.error());
  if (*max_seats) s.max_seats_per_user = static_cast<int>(**max_seats);
  return s;
}

domain::Result<domain::QueueSettings> read_queue_patch(const nlohmann::json& body, domain::QueueSettings current) {
  const std::pair<const char*, int*> fields[] = {{"admitPerSecond", &current.admit_per_second},
                                                 {"maxActive", &current.max_active},
                                                 {"activeTtlSeconds", &current.active_ttl_seconds},
                                                 {"waitingIdleTtlSeconds", &current.waiting_idle_ttl_seconds}};
  for (const auto& [name, target] : fields) {
    auto v = get_optional_int(body, name, 1, 1'000'000);
    if (!v) return tl::unexpected(v.error());
    if (*v) *target = static_cast<int>(**v);
  }
  return current;
}

domain::Result<std::int64_t> read_after_cursor(const std::string& target) {
  const auto q = target.find('?');
  if (q == std::string::npos) return 0;
  const std::string query = target.substr(q + 1);
  if (query.rfind("after=", 0) != 0 || query.size() > 6 + 18 ||
      query.find_first_not_of("0123456789", 6) != std::string::npos || query.size() == 6) {
    return fail(ErrorCode::InvalidInput, "the only query parameter is after=<non-negative integer>");
  }
  return std::stoll(query.substr(6));
}

}  // namespace concert::http
