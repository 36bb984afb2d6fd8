#include "pgsim/faults.hpp"

#include <algorithm>

namespace concert::pgsim {

Faults::Faults(FaultSettings settings, std::uint64_t seed) : settings_(settings), rng_(seed) {}

RequestFaults Faults::for_request() {
  std::lock_guard lock(mutex_);
  const auto jitter = settings_.latency_jitter.count();
  std::uniform_int_distribution<std::int64_t> jitter_draw(-jitter, jitter);
  std::bernoulli_distribution fail(settings_.error_rate);
  std::bernoulli_distribution lose(settings_.lost_answer_rate);
  RequestFaults f;
  f.delay = std::chrono::milliseconds(std::max<std::int64_t>(0, settings_.latency.count() + jitter_draw(rng_)));
  f.fail = fail(rng_);
  f.lose_answer = lose(rng_);
  return f;
}

std::vector<std::chrono::milliseconds> Faults::for_webhook() {
  std::lock_guard lock(mutex_);
  std::bernoulli_distribution lose(settings_.webhook_loss_rate);
  std::bernoulli_distribution duplicate(settings_.duplicate_webhook_rate);
  std::uniform_int_distribution<std::int64_t> delay(0, settings_.webhook_delay.count());
  const bool lost = lose(rng_);
  const bool twice = duplicate(rng_);
  const std::chrono::milliseconds first(delay(rng_));
  const std::chrono::milliseconds second(delay(rng_));
  if (lost) return {};
  if (twice) return {first, second};
  return {first};
}

}  // namespace concert::pgsim
