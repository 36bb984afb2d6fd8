#include "adapters/redis/rate_limiter.hpp"

namespace concert::adapters::redis {

namespace {

// KEYS: the buckets (hashes of tokens t and microsecond time ts).
// ARGV: per_second and burst of each bucket, in turn.
// Takes a token from every bucket, or none: returns 0, or the milliseconds until
// every bucket holds a token. A bucket expires once it would have refilled.
const Script kTake{"rate_take", R"lua(
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local tokens = {}
local wait = 0
for i, key in ipairs(KEYS) do
  local rate, burst = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local state = redis.call('HMGET', key, 't', 'ts')
  local t = burst
  if state[1] and state[2] then
    t = math.min(burst, tonumber(state[1]) + math.max(0, now - tonumber(state[2])) / 1000000 * rate)
  end
  tokens[i] = t
  if t < 1 then wait = math.max(wait, (1 - t) / rate) end
end
if wait > 0 then return math.ceil(wait * 1000) end
for i, key in ipairs(KEYS) do
  local rate, burst = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  redis.call('HSET', key, 't', tostring(tokens[i] - 1), 'ts', tostring(now))
  redis.call('PEXPIRE', key, math.ceil(burst / rate * 1000) + 1000)
end
return 0
)lua"};

}  // namespace

std::optional<std::chrono::milliseconds> RedisRateLimiter::take(std::span<const ports::BucketTake> buckets) {
  std::vector<std::string> keys;
  std::vector<std::string> args;
  for (const auto& b : buckets) {
    keys.push_back("rate:" + b.key);
    args.push_back(std::to_string(b.rate.per_second));
    args.push_back(std::to_string(b.rate.burst));
  }
  const auto wait = client_.eval(kTake, keys, args).as_int();
  if (wait <= 0) return std::nullopt;
  return std::chrono::milliseconds(wait);
}

}  // namespace concert::adapters::redis
