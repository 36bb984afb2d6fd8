#include "adapters/payments/circuit_breaker.hpp"

namespace concert::adapters::payments {

bool CircuitBreaker::allow(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (!open_) return true;
  if (probing_ || now - opened_at_ < options_.open_for) return false;
  probing_ = true;
  return true;
}

void CircuitBreaker::succeeded() {
  std::lock_guard lock(mutex_);
  consecutive_failures_ = 0;
  open_ = false;
  probing_ = false;
}

void CircuitBreaker::failed(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  ++consecutive_failures_;
  if (probing_ || consecutive_failures_ >= options_.failures_to_open) {
    open_ = true;
    opened_at_ = now;
  }
  probing_ = false;
}

CircuitBreaker::State CircuitBreaker::state(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  if (!open_) return State::Closed;
  return probing_ || now - opened_at_ >= options_.open_for ? State::HalfOpen : State::Open;
}

}  // namespace concert::adapters::payments
