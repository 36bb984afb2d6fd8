// Fast failure while a dependency (MySQL, Redis) is down (SPEC I7, issue 13
// item 4). Without it, every request waits out its own connect or read timeout
// against a dead or stalled server, the pools fill with such waits, and answers
// take many seconds. After `failures_to_close` unreachable reports in a row the
// gate closes: callers are refused at once, except one caller per
// `probe_every`, who tries for real; its success opens the gate again, so an
// instance recovers within about probe_every of the dependency's return. The
// probe slot is a time, not a flag, so a caller that never reports back cannot
// keep the gate closed. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>

namespace concert::platform {

class OutageGate {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    int failures_to_close = 2;
    std::chrono::milliseconds probe_every{250};
  };

  explicit OutageGate(Options options) : options_(options) {}

  // Whether a call may go out now (always, unless the dependency is down).
  bool may_try(Clock::time_point now);
  // The dependency could not be reached (connect failed, the connection broke, a timeout).
  void unreachable(Clock::time_point now);
  // The dependency answered.
  void reachable();
  bool down() const;
  // The last report was a failure: the dependency may be going away. A caller
  // about to open a new connection (a connect timeout more of waiting) should
  // not; one on a connection that answers goes on.
  bool suspect() const;

 private:
  Options options_;
  mutable std::mutex mutex_;
  int failures_in_a_row_ = 0;
  bool down_ = false;
  Clock::time_point next_probe_{};
};

}  // namespace concert::platform
