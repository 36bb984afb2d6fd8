#include "app/views.hpp"

#include <cstdio>
#include <ctime>

namespace concert::app {

std::string rfc3339(domain::TimePoint t) {
  const auto ms = t.time_since_epoch().count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  if (ms < 0 && ms % 1000 != 0) --secs;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  const int millis = static_cast<int>(((ms % 1000) + 1000) % 1000);
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::optional<domain::TimePoint> parse_rfc3339(const std::string& text) {
  // Accepts YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM).
  int y, mo, d, h, mi, s;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::size_t pos = 19;
  int millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 3; ++i) millis *= 10;
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') && text[pos + 3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d", &oh, &om) != 2 || oh > 23 || om > 59) return std::nullopt;
    offset_minutes = (text[pos] == '+' ? 1 : -1) * (oh * 60 + om);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  auto tp = std::chrono::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{s} +
            std::chrono::milliseconds{millis} - std::chrono::minutes{offset_minutes};
  return std::chrono::time_point_cast<domain::Millis>(tp);
}

nlohmann::json to_json(const domain::Concert& c) { return {{"id", c.id}, {"title", c.title}}; }

nlohmann::json to_json(const domain::Schedule& s) {
  return {{"id", s.id},
          {"concertId", s.concert_id},
          {"startsAt", rfc3339(s.starts_at)},
          {"salesOpenAt", rfc3339(s.sales_open_at)},
          {"salesCloseAt", rfc3339(s.sales_close_at)},
          {"maxSeatsPerUser", s.max_seats_per_user},
          {"queue",
           {{"admitPerSecond", s.queue.admit_per_second},
            {"maxActive", s.queue.max_active},
            {"activeTtlSeconds", s.queue.active_ttl_seconds},
            {"waitingIdleTtlSeconds", s.queue.waiting_idle_ttl_seconds}}}};
}

nlohmann::json to_json(const domain::Seat& s) {
  return {{"id", s.id},           {"section", s.section}, {"row", s.row},
          {"number", s.number},   {"grade", s.grade},     {"price", s.price},
          {"status", to_string(s.status)}};
}

nlohmann::json to_json(const domain::Reservation& r) {
  return {{"reservationId", r.id},
          {"scheduleId", r.schedule_id},
          {"userId", r.user_id},
          {"status", to_string(r.status)},
          {"seatIds", r.seat_ids},
          {"amount", r.amount},
          {"createdAt", rfc3339(r.created_at)},
          {"expiresAt", rfc3339(r.expires_at)}};
}

nlohmann::json to_json(const domain::Payment& p) {
  nlohmann::json j{{"paymentId", p.id},
                   {"reservationId", p.reservation_id},
                   {"userId", p.user_id},
                   {"amount", p.amount},
                   {"status", to_string(p.status)},
                   {"createdAt", rfc3339(p.created_at)},
                   {"updatedAt", rfc3339(p.updated_at)}};
  if (p.gateway_tx_id) j["gatewayTxId"] = *p.gateway_tx_id;
  return j;
}

// Written directly, not through a JSON tree: this is the answer to every poll of
// a rush (SPEC §2a), and building and freeing the tree was a tenth of its cost.
// Keys in the order nlohmann::json writes them (sorted), so both read alike.
std::string queue_json(const domain::QueueToken& t, std::int64_t eta_seconds) {
  // Tokens are ours (checked before they get here) and need no escaping; anything
  // else is escaped the slow way.
  const bool plain = t.token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_|:") ==
                     std::string::npos;
  std::string out;
  out.reserve(160 + t.token.size());
  out += R"({"activeUntil":)";
  out += t.active_until ? "\"" + rfc3339(*t.active_until) + "\"" : "null";
  out += R"(,"etaSeconds":)";
  out += std::to_string(eta_seconds);
  out += R"(,"position":)";
  out += t.position ? std::to_string(*t.position) : "null";
  out += R"(,"scheduleId":)";
  out += std::to_string(t.schedule_id);
  out += R"(,"status":")";
  out += to_string(t.status);
  out += R"(","token":)";
  out += plain ? "\"" + t.token + "\"" : nlohmann::json(t.token).dump();
  out += '}';
  return out;
}

nlohmann::json to_json(const ports::Admission& a) {
  return {{"seq", a.seq}, {"userId", a.user_id}, {"enteredAt", rfc3339(a.entered_at)}, {"admittedAt", rfc3339(a.admitted_at)}};
}

}  // namespace concert::app
