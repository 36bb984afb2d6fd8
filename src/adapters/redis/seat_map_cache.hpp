// The seat-map cache in Redis, shared by every instance: `seatmap:{s:<id>}` holds
// the rendered map, `seatmap:{s:<id>}:gen` counts invalidations. A put lands only
// if the generation is unchanged (a Lua compare-and-set), so a map read before an
// invalidation is never cached after it. Entries expire after a minute as a backstop.
//
// Each instance keeps a near copy for `local_ttl`, so a read costs no Redis round
// trip (SPEC §2a). This instance's own invalidations drop it at once; another
// instance's are seen within local_ttl ("the seat map may be stale by a moment";
// holds never read it).
//
// Invalidations reach Redis from a background thread, coalesced per schedule, so
// a hold or a payment never waits for them (and a Redis outage after a commit
// cannot turn a committed hold into an error). Until an invalidation has landed,
// this instance reads that map from the database rather than the shared copy and
// keeps what it renders to itself: its own writes show at once. A generation is
// the Redis counter with this instance's own count of invalidations (and whether
// one is still on its way) in its low bits, so a render that began before either
// kind of change is never kept.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>
#include <unordered_map>

#include "adapters/redis/redis_client.hpp"
#include "ports/seat_map_cache.hpp"

namespace concert::adapters::redis {

class RedisSeatMapCache final : public ports::SeatMapCache {
 public:
  // flush_in_background false: invalidations wait for flush() (tests).
  RedisSeatMapCache(RedisClient& client, std::chrono::milliseconds local_ttl, bool flush_in_background = true);
  ~RedisSeatMapCache() override;
  RedisSeatMapCache(const RedisSeatMapCache&) = delete;
  RedisSeatMapCache& operator=(const RedisSeatMapCache&) = delete;

  ports::SeatMapPtr get(domain::Id schedule_id) override;
  ports::SeatMapPtr load(domain::Id schedule_id) override;
  std::uint64_t generation(domain::Id schedule_id) override;
  void put(domain::Id schedule_id, std::uint64_t generation, ports::SeatMapPtr map) override;
  void invalidate(domain::Id schedule_id) override;

  // Sends this instance's pending invalidations to Redis now; false if some could
  // not be sent (they stay pending).
  bool flush();

 private:
  using Clock = std::chrono::steady_clock;
  struct NearCopy {
    ports::SeatMapPtr map;
    Clock::time_point fetched_at;
  };
  // Keeps `map` near unless this instance invalidated it since `epoch`.
  void keep(domain::Id schedule_id, ports::SeatMapPtr map, std::uint64_t epoch);
  std::uint64_t epoch_of(domain::Id schedule_id) const;  // under mutex_
  void flush_in_background(std::stop_token stop);

  RedisClient& client_;
  const std::chrono::milliseconds local_ttl_;
  std::mutex mutex_;
  std::unordered_map<domain::Id, NearCopy> near_;
  // Schedules invalidated here whose invalidation is not in Redis yet, with the
  // epoch it was made at (a flush clears an entry only if no newer one came).
  std::unordered_map<domain::Id, std::uint64_t> pending_;
  std::unordered_map<domain::Id, std::uint64_t> epochs_;  // invalidations made here, per schedule
  std::condition_variable_any wake_;
  std::jthread flusher_;  // last: stopped before the members it uses go
};

}  // namespace concert::adapters::redis
