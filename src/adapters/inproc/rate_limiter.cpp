#include "adapters/inproc/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace concert::adapters::inproc {

namespace {

double refill(double tokens, const ports::BucketRate& rate, std::chrono::steady_clock::duration elapsed) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  return std::min<double>(rate.burst, tokens + seconds * rate.per_second);
}

}  // namespace

InProcessRateLimiter::Bucket& InProcessRateLimiter::refilled(const ports::BucketTake& take,
                                                             std::chrono::steady_clock::time_point now) {
  auto [it, fresh] = buckets_.try_emplace(take.key, Bucket{static_cast<double>(take.rate.burst), now, take.rate});
  auto& bucket = it->second;
  if (!fresh) {
    bucket.tokens = refill(bucket.tokens, take.rate, now - bucket.at);
    bucket.at = now;
    bucket.rate = take.rate;
  }
  return bucket;
}

void InProcessRateLimiter::make_room(std::chrono::steady_clock::time_point now) {
  if (buckets_.size() < max_buckets_) return;
  std::erase_if(buckets_, [now](const auto& entry) {
    const auto& b = entry.second;
    return refill(b.tokens, b.rate, now - b.at) >= b.rate.burst;
  });
  if (buckets_.size() >= max_buckets_) buckets_.clear();
}

std::optional<std::chrono::milliseconds> InProcessRateLimiter::take(std::span<const ports::BucketTake> buckets) {
  const auto now = now_();
  std::lock_guard lock(mutex_);
  make_room(now);
  std::vector<Bucket*> taken;
  taken.reserve(buckets.size());
  double wait_seconds = 0;
  for (const auto& take : buckets) {
    auto& bucket = refilled(take, now);
    if (bucket.tokens < 1.0) wait_seconds = std::max(wait_seconds, (1.0 - bucket.tokens) / take.rate.per_second);
    taken.push_back(&bucket);
  }
  if (wait_seconds > 0) return std::chrono::milliseconds(static_cast<long long>(std::ceil(wait_seconds * 1000.0)));
  for (auto* bucket : taken) bucket->tokens -= 1.0;
  return std::nullopt;
}

std::size_t InProcessRateLimiter::size() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace concert::adapters::inproc
