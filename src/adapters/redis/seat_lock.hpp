// Seat locks in Redis, shared by every instance: one key per seat,
// `seatlock:{s:<scheduleId>}:<seatId>` holding its owner, with a PX expiry. All
// the seats of a hold are checked and set in one Lua script (all or nothing; the
// same owner may take its own locks again, as SET NX would not let it) and
// released by compare-and-delete, so a lock that expired and was taken by another
// request is never removed.
#pragma once

#include "adapters/redis/redis_client.hpp"
#include "ports/seat_lock.hpp"

namespace concert::adapters::redis {

class RedisSeatLock final : public ports::SeatLock {
 public:
  explicit RedisSeatLock(RedisClient& client) : client_(client) {}
  bool try_lock(domain::Id schedule_id, std::span<const domain::Id> seat_ids, const std::string& owner,
                domain::Millis ttl) override;
  void unlock(domain::Id schedule_id, std::span<const domain::Id> seat_ids, const std::string& owner) override;

 private:
  RedisClient& client_;
};

}  // namespace concert::adapters::redis
