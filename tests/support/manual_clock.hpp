// A clock the test moves by hand: expiry paths run without sleeping.
#pragma once

#include <atomic>

#include "ports/clock.hpp"

namespace concert::testing {

class ManualClock final : public ports::Clock {
 public:
  explicit ManualClock(domain::TimePoint start = domain::TimePoint(std::chrono::milliseconds(1'800'000'000'000)))
      : now_ms_(start.time_since_epoch().count()) {}
  domain::TimePoint now() const override { return domain::TimePoint(domain::Millis(now_ms_.load())); }
  void advance(domain::Millis by) { now_ms_ += by.count(); }

 private:
  std::atomic<std::int64_t> now_ms_;
};

}  // namespace concert::testing
