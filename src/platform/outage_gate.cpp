#include "platform/outage_gate.hpp"

namespace concert::platform {

bool OutageGate::may_try(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (!down_) return true;
  if (now < next_probe_) return false;
  next_probe_ = now + options_.probe_every;
  return true;
}

void OutageGate::unreachable(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (++failures_in_a_row_ < options_.failures_to_close) return;
  if (!down_) next_probe_ = now + options_.probe_every;
  down_ = true;
}

void OutageGate::reachable() {
  std::lock_guard lock(mutex_);
  failures_in_a_row_ = 0;
  down_ = false;
}

bool OutageGate::down() const {
  std::lock_guard lock(mutex_);
  return down_;
}

bool OutageGate::suspect() const {
  std::lock_guard lock(mutex_);
  return failures_in_a_row_ > 0;
}

}  // namespace concert::platform
