// libFuzzer target: every reader of request_bodies.hpp on the same bytes (as a
// body, and as a target for the admissions cursor). A violated property traps:
// a success holds values within the ranges the header documents; a failure is
// InvalidInput with a detail for the client. An exception escaping would crash.
#include <cstdint>
#include <string>

#include "adapters/http/json_input.hpp"
#include "adapters/http/request_bodies.hpp"

namespace {

using namespace concert;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

template <typename T>
bool succeeded(const domain::Result<T>& result) {
  if (!result) check(result.error().code == domain::ErrorCode::InvalidInput && !result.error().detail.empty());
  return result.has_value();
}

bool within(std::int64_t v, std::int64_t min, std::int64_t max) { return v >= min && v <= max; }

bool length_within(const std::string& s, std::size_t max) { return !s.empty() && s.size() <= max; }

void check_queue(const domain::QueueSettings& q) {
  for (const int v : {q.admit_per_second, q.max_active, q.active_ttl_seconds, q.waiting_idle_ttl_seconds}) {
    check(within(v, 1, 1'000'000));
  }
}

void check_schedule(const app::NewSchedule& s) {
  check(!s.sections.empty() && s.sections.size() <= 100);
  for (const auto& section : s.sections) {
    check(length_within(section.name, 64) && length_within(section.grade, 32));
    check(within(section.price, 0, 100'000'000) && within(section.rows, 1, 1000) &&
          within(section.seats_per_row, 1, 1000));
  }
  if (s.queue) check_queue(*s.queue);
  if (s.max_seats_per_user) check(within(*s.max_seats_per_user, 1, 10));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const domain::QueueSettings defaults;

  if (auto hold = http::read_hold_body(input); succeeded(hold)) {
    check(hold->schedule_id >= 1 && hold->seat_ids.size() <= 64);
  }
  if (auto payment = http::read_payment_body(input); succeeded(payment)) check(payment->reservation_id >= 1);
  if (auto report = http::read_pg_report(input); succeeded(report)) {
    check(report->payment_id >= 1 && length_within(report->gateway_tx_id, 128) && report->amount >= 0);
    check(report->reason.size() <= 500);
  }
  if (auto concert = http::read_concert_body(input); succeeded(concert)) check(length_within(concert->title, 200));
  if (auto schedule = http::read_schedule_body(input, defaults); succeeded(schedule)) check_schedule(*schedule);
  if (auto body = http::parse_object(input); succeeded(body)) {
    if (auto queue = http::read_queue_patch(*body, defaults); succeeded(queue)) check_queue(*queue);
  }
  if (auto after = http::read_after_cursor(input); succeeded(after)) check(*after >= 0);
  return 0;
}
