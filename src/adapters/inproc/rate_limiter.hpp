// Token buckets in this process's memory: the embedded profile's limits, and
// the local profile's stand-in while Redis is unreachable.
#pragma once

#include <mutex>
#include <unordered_map>

#include "ports/rate_limiter.hpp"

namespace concert::adapters::inproc {

class InProcessRateLimiter final : public ports::RateLimiter {
 public:
  using Now = std::chrono::steady_clock::time_point (*)();
  // At most `max_buckets` are kept: past it the full ones (idle long enough to
  // have refilled, so forgetting them changes nothing) are dropped, and if that
  // is not enough, all of them: a flood of distinct addresses costs bounded
  // memory, at the price of a fresh start for everyone.
  explicit InProcessRateLimiter(std::size_t max_buckets = 100'000, Now now = &std::chrono::steady_clock::now)
      : max_buckets_(max_buckets), now_(now) {}

  std::optional<std::chrono::milliseconds> take(std::span<const ports::BucketTake> buckets) override;
  std::size_t size() const;

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point at;
    ports::BucketRate rate;  // its last taker's, to tell whether it has refilled
  };
  Bucket& refilled(const ports::BucketTake& take, std::chrono::steady_clock::time_point now);
  void make_room(std::chrono::steady_clock::time_point now);

  std::size_t max_buckets_;
  Now now_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace concert::adapters::inproc
