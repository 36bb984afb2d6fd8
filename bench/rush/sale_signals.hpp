// The sale's clock and the one fact every fan shares across IO threads: whether
// (and when) the schedule sold out.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>

#include "bench/rush/sale_counters.hpp"

namespace concert::bench::rush {

class SaleSignals {
 public:
  SaleSignals(Clock::time_point start, Clock::time_point deadline) : start_(start), deadline_(deadline) {}

  Clock::time_point start() const { return start_; }
  Clock::time_point deadline() const { return deadline_; }

  // The first fan to see no AVAILABLE and no HELD seat sets it; later calls keep the first time.
  void mark_sold_out(Clock::time_point now) {
    bool expected = false;
    if (sold_out_.compare_exchange_strong(expected, true)) sold_out_after_.store(now - start_);
  }
  bool sold_out() const { return sold_out_.load(); }
  std::optional<Clock::duration> sold_out_after() const {
    if (!sold_out_.load()) return std::nullopt;
    return sold_out_after_.load();
  }

 private:
  const Clock::time_point start_;
  const Clock::time_point deadline_;
  std::atomic<bool> sold_out_{false};
  std::atomic<Clock::duration> sold_out_after_{Clock::duration::zero()};
};

}  // namespace concert::bench::rush
