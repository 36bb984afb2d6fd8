// What happened to the fans, counted on each IO thread and merged at the end.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "bench/http/histogram.hpp"

namespace concert::bench::rush {

using Clock = std::chrono::steady_clock;

struct SaleCounters {
  std::uint64_t fans_started = 0;
  std::uint64_t entered = 0;   // got a queue token
  std::uint64_t admitted = 0;  // saw their token ACTIVE
  std::uint64_t holds = 0;
  std::uint64_t seat_taken = 0;  // 409 seat-taken answers (collisions)
  std::uint64_t sales = 0;       // payments APPROVED
  std::uint64_t declined = 0;
  std::uint64_t abandoned = 0;            // holds left to expire on purpose
  std::uint64_t hold_expired_on_pay = 0;  // 410 hold-expired
  std::uint64_t cancels = 0;
  std::uint64_t refunds = 0;
  std::uint64_t gave_up = 0;  // admitted but left without a hold
  std::uint64_t duplicate_clicks = 0;
  std::uint64_t key_retries = 0;  // same Idempotency-Key sent again
  std::uint64_t fan_errors = 0;   // a fan's coroutine threw (a bug in the tool)
  LogHistogram queue_wait_ms;     // entry -> first ACTIVE seen
  std::optional<Clock::time_point> first_admission;
  std::optional<Clock::time_point> last_admission;

  void merge(const SaleCounters& other);
};

}  // namespace concert::bench::rush
