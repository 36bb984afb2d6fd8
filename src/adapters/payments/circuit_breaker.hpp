// A circuit breaker for calls to the payment gateway (SPEC §4a): after
// `failures_to_open` failed calls in a row it opens, and calls are refused at once
// (a fast 503 instead of every fan waiting out the timeouts of a dead gateway);
// after `open_for` one probe call may pass (half-open): its success closes the
// breaker, its failure opens it again. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>

namespace concert::adapters::payments {

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    int failures_to_open = 5;
    std::chrono::milliseconds open_for{5000};
  };
  enum class State { Closed, Open, HalfOpen };

  explicit CircuitBreaker(Options options) : options_(options) {}

  // Whether a call may go out now. Every allowed call must report back with
  // succeeded() or failed().
  bool allow(Clock::time_point now);
  void succeeded();
  void failed(Clock::time_point now);
  State state(Clock::time_point now) const;

 private:
  Options options_;
  mutable std::mutex mutex_;
  int consecutive_failures_ = 0;
  bool open_ = false;
  bool probing_ = false;  // the one half-open call is out
  Clock::time_point opened_at_{};
};

}  // namespace concert::adapters::payments
