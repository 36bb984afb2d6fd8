// What a timed phase measured, whichever the target: hold+pay transactions that
// completed, the latency of each step, and every failure by what it was.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "bench/http/histogram.hpp"

namespace concert::bench::holdpay {

using Clock = std::chrono::steady_clock;

struct Outcome {
  std::uint64_t completed = 0;                  // hold and pay both succeeded
  std::map<std::string, std::uint64_t> errors;  // by label, e.g. "hold 409 seat-taken", "pay client-timeout"
  LogHistogram hold_us;                         // successful holds only
  LogHistogram pay_us;                          // successful payments only
  std::chrono::duration<double> elapsed{0};     // first worker started -> last worker done

  void add_error(const std::string& label) { ++errors[label]; }
  std::uint64_t error_count() const;
  void merge(const Outcome& other);  // leaves `elapsed` alone
};

inline std::uint64_t micros(Clock::duration d) {
  return static_cast<std::uint64_t>(
      std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::microseconds>(d).count()));
}

}  // namespace concert::bench::holdpay
