// Token buckets in Redis, shared by every instance of the local profile. Time is
// Redis' own (TIME), so instances with drifting clocks agree on every refill.
#pragma once

#include "adapters/redis/redis_client.hpp"
#include "ports/rate_limiter.hpp"

namespace concert::adapters::redis {

class RedisRateLimiter final : public ports::RateLimiter {
 public:
  explicit RedisRateLimiter(RedisClient& client) : client_(client) {}
  std::optional<std::chrono::milliseconds> take(std::span<const ports::BucketTake> buckets) override;

 private:
  RedisClient& client_;
};

}  // namespace concert::adapters::redis
