#include "bench/holdpay/outcome.hpp"

namespace concert::bench::holdpay {

std::uint64_t Outcome::error_count() const {
  std::uint64_t n = 0;
  for (const auto& [label, count] : errors) n += count;
  return n;
}

void Outcome::merge(const Outcome& other) {
  completed += other.completed;
  for (const auto& [label, count] : other.errors) errors[label] += count;
  hold_us.merge(other.hold_us);
  pay_us.merge(other.pay_us);
}

}  // namespace concert::bench::holdpay
