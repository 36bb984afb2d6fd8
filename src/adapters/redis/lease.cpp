#include "adapters/redis/lease.hpp"

namespace concert::adapters::redis {

namespace {

// KEYS[1] lease key  ARGV[1] owner  ARGV[2] ttl (ms). Returns 1 if the owner holds it now.
const Script kHold{"lease_hold", R"lua(
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
)lua"};

// KEYS[1] lease key  ARGV[1] owner. Deletes it only if the owner still holds it.
const Script kRelease{"lease_release", R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua"};

}  // namespace

void RedisLease::release(const std::string& name, const std::string& owner) {
  client_.eval(kRelease, {"lease:" + name}, {owner});
}

bool RedisLease::hold(const std::string& name, const std::string& owner, domain::Millis ttl) {
  return client_.eval(kHold, {"lease:" + name}, {owner, std::to_string(ttl.count())}).as_int() == 1;
}

}  // namespace concert::adapters::redis
