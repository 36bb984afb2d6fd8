// The seat-map cache in Redis, shared by every instance: `seatmap:{s:<id>}` holds
// the rendered map, `seatmap:{s:<id>}:gen` counts invalidations. A put lands only
// if the generation is unchanged (a Lua compare-and-set), so a map read before an
// invalidation is never cached after it. Entries expire after a minute as a backstop.
#pragma once

#include "adapters/redis/redis_client.hpp"
#include "ports/seat_map_cache.hpp"

namespace concert::adapters::redis {

class RedisSeatMapCache final : public ports::SeatMapCache {
 public:
  explicit RedisSeatMapCache(RedisClient& client) : client_(client) {}

  std::optional<ports::CachedSeatMap> get(domain::Id schedule_id) override;
  std::uint64_t generation(domain::Id schedule_id) override;
  void put(domain::Id schedule_id, std::uint64_t generation, ports::CachedSeatMap map) override;
  void invalidate(domain::Id schedule_id) override;

 private:
  RedisClient& client_;
};

}  // namespace concert::adapters::redis
