// The time by which the work running on this thread should have begun, set by
// the blocking pool for each task from the moment it was queued (issue 13 item
// 4: a client is told within 2 s, a refusal included). The work's first wait
// for a database connection ends by it, so work that spent its time in the
// queue and then finds every connection busy is refused (503) at once instead
// of waiting on. Only the first: once work holds a connection it is under way
// (a payment may have charged the gateway before its next transaction) and is
// left to finish. Calls already sent are never cut by it; their own timeouts
// bound them. Thread-local, as userver keeps a task's deadline in task-local
// storage.
#pragma once

#include <chrono>
#include <optional>

namespace concert::platform {

class WorkDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  class Scope {
   public:
    explicit Scope(Clock::time_point deadline) : outer_(current_) { current_ = deadline; }
    ~Scope() { current_ = outer_; }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    std::optional<Clock::time_point> outer_;
  };

  // Until when the wait for a connection may last: `wait` from now, clipped to
  // this thread's deadline if the work has not begun yet (which it now has).
  static Clock::time_point begin_waiting(std::chrono::milliseconds wait) {
    const auto until = Clock::now() + wait;
    const auto deadline = current_;
    current_.reset();
    return deadline && *deadline < until ? *deadline : until;
  }

 private:
  static inline thread_local std::optional<Clock::time_point> current_;
};

}  // namespace concert::platform
