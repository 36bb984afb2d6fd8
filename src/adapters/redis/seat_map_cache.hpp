// The seat-map cache in Redis, shared by every instance: `seatmap:{s:<id>}` holds
// the rendered map, `seatmap:{s:<id>}:gen` counts invalidations. A put lands only
// if the generation is unchanged (a Lua compare-and-set), so a map read before an
// invalidation is never cached after it. Entries expire after a minute as a backstop.
//
// Each instance keeps a near copy for `local_ttl`, so a read costs no Redis round
// trip (SPEC §2a). This instance's own invalidations drop it at once; another
// instance's are seen within local_ttl ("the seat map may be stale by a moment";
// holds never read it).
#pragma once

#include <chrono>
#include <mutex>
#include <unordered_map>

#include "adapters/redis/redis_client.hpp"
#include "ports/seat_map_cache.hpp"

namespace concert::adapters::redis {

class RedisSeatMapCache final : public ports::SeatMapCache {
 public:
  RedisSeatMapCache(RedisClient& client, std::chrono::milliseconds local_ttl)
      : client_(client), local_ttl_(local_ttl) {}

  ports::SeatMapPtr get(domain::Id schedule_id) override;
  ports::SeatMapPtr load(domain::Id schedule_id) override;
  std::uint64_t generation(domain::Id schedule_id) override;
  void put(domain::Id schedule_id, std::uint64_t generation, ports::SeatMapPtr map) override;
  void invalidate(domain::Id schedule_id) override;

 private:
  using Clock = std::chrono::steady_clock;
  struct NearCopy {
    ports::SeatMapPtr map;
    Clock::time_point fetched_at;
  };
  void keep(domain::Id schedule_id, ports::SeatMapPtr map);

  RedisClient& client_;
  const std::chrono::milliseconds local_ttl_;
  std::mutex mutex_;
  std::unordered_map<domain::Id, NearCopy> near_;
};

}  // namespace concert::adapters::redis
