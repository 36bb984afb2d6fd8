#include "adapters/redis/seat_lock.hpp"

namespace concert::adapters::redis {

namespace {

// KEYS: one lock key per seat (one schedule: one hash tag)  ARGV[1] owner  ARGV[2] ttl (ms)
// Returns 1 when every seat is now locked by the owner, 0 (and locks none) otherwise.
const Script kLock{"seat_lock", R"lua(
for i = 1, #KEYS do
  local holder = redis.call('GET', KEYS[i])
  if holder and holder ~= ARGV[1] then return 0 end
end
for i = 1, #KEYS do redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2]) end
return 1
)lua"};

// KEYS: the seats' lock keys  ARGV[1] owner. Deletes only the keys the owner still holds.
const Script kUnlock{"seat_unlock", R"lua(
local n = 0
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then n = n + redis.call('DEL', KEYS[i]) end
end
return n
)lua"};

std::vector<std::string> lock_keys(domain::Id schedule_id, std::span<const domain::Id> seat_ids) {
  std::vector<std::string> keys;
  for (auto seat : seat_ids) keys.push_back("seatlock:{s:" + std::to_string(schedule_id) + "}:" + std::to_string(seat));
  return keys;
}

}  // namespace

bool RedisSeatLock::try_lock(domain::Id schedule_id, std::span<const domain::Id> seat_ids, const std::string& owner,
                             domain::Millis ttl) {
  return client_.eval(kLock, lock_keys(schedule_id, seat_ids), {owner, std::to_string(ttl.count())}).as_int() == 1;
}

void RedisSeatLock::unlock(domain::Id schedule_id, std::span<const domain::Id> seat_ids, const std::string& owner) {
  client_.eval(kUnlock, lock_keys(schedule_id, seat_ids), {owner});
}

}  // namespace concert::adapters::redis
