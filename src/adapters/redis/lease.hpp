// A lease in Redis: SET NX PX to take it, compare-and-extend to renew it, so it
// passes to another instance within `ttl` when its holder dies.
#pragma once

#include "adapters/redis/redis_client.hpp"
#include "ports/lease.hpp"

namespace concert::adapters::redis {

class RedisLease final : public ports::Lease {
 public:
  explicit RedisLease(RedisClient& client) : client_(client) {}
  bool hold(const std::string& name, const std::string& owner, domain::Millis ttl) override;
  void release(const std::string& name, const std::string& owner) override;

 private:
  RedisClient& client_;
};

}  // namespace concert::adapters::redis
