#include "adapters/redis/seat_map_cache.hpp"

#include <spdlog/spdlog.h>

#include <vector>

namespace concert::adapters::redis {

namespace {

std::string map_key(domain::Id id) { return "seatmap:{s:" + std::to_string(id) + "}"; }
std::string gen_key(domain::Id id) { return map_key(id) + ":gen"; }

// KEYS[1] map HASH {body, etag}  KEYS[2] generation counter
// ARGV[1] expected generation  ARGV[2] body  ARGV[3] etag  ARGV[4] ttl (s). Returns 1 if stored.
const Script kPutIfCurrent{"seatmap_put", R"lua(
local gen = redis.call('GET', KEYS[2]) or '0'
if gen ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'body', ARGV[2], 'etag', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
)lua"};

// KEYS[1] map  KEYS[2] generation counter. Drops the map and bumps the generation.
const Script kInvalidate{"seatmap_invalidate", R"lua(
redis.call('DEL', KEYS[1])
return redis.call('INCR', KEYS[2])
)lua"};

// generation() = Redis's counter << kSharedShift | kPendingBit if this instance's
// own invalidation had not reached Redis yet | this instance's epoch (low bits).
constexpr int kEpochBits = 20;
constexpr std::uint64_t kEpochMask = (std::uint64_t{1} << kEpochBits) - 1;
constexpr std::uint64_t kPendingBit = std::uint64_t{1} << kEpochBits;
constexpr int kSharedShift = kEpochBits + 1;

}  // namespace

RedisSeatMapCache::RedisSeatMapCache(RedisClient& client, std::chrono::milliseconds local_ttl, bool flush_in_background)
    : client_(client), local_ttl_(local_ttl) {
  if (flush_in_background) flusher_ = std::jthread([this](std::stop_token stop) { this->flush_in_background(stop); });
}

RedisSeatMapCache::~RedisSeatMapCache() {
  if (flusher_.joinable()) {
    flusher_.request_stop();
    flusher_.join();
  }
  flush();  // what the last round left, once; a map that misses it expires within a minute
}

ports::SeatMapPtr RedisSeatMapCache::get(domain::Id schedule_id) {
  std::lock_guard lock(mutex_);
  auto it = near_.find(schedule_id);
  if (it == near_.end() || Clock::now() - it->second.fetched_at >= local_ttl_) return nullptr;
  return it->second.map;
}

ports::SeatMapPtr RedisSeatMapCache::load(domain::Id schedule_id) {
  if (auto near = get(schedule_id)) return near;
  std::uint64_t epoch = 0;
  {
    std::lock_guard lock(mutex_);
    if (pending_.contains(schedule_id)) return nullptr;  // the shared copy may predate this instance's change
    epoch = epoch_of(schedule_id);
  }
  Reply r;
  try {
    r = client_.command({"HMGET", client_.prefix() + map_key(schedule_id), "body", "etag"});
  } catch (const RedisUnavailable&) {
    return nullptr;  // a cache that is down is a miss: the map is rendered from the database
  }
  if (r.elements.size() != 2 || r.elements[0].type != Reply::Type::String) return nullptr;
  auto map = std::make_shared<const ports::CachedSeatMap>(ports::CachedSeatMap{r.elements[0].str, r.elements[1].str});
  keep(schedule_id, map, epoch);
  return map;
}

void RedisSeatMapCache::keep(domain::Id schedule_id, ports::SeatMapPtr map, std::uint64_t epoch) {
  std::lock_guard lock(mutex_);
  if (epoch_of(schedule_id) == epoch) near_[schedule_id] = {std::move(map), Clock::now()};
}

std::uint64_t RedisSeatMapCache::epoch_of(domain::Id schedule_id) const {
  auto it = epochs_.find(schedule_id);
  return it == epochs_.end() ? 0 : it->second & kEpochMask;
}

std::uint64_t RedisSeatMapCache::generation(domain::Id schedule_id) {
  std::uint64_t local = 0;
  {
    std::lock_guard lock(mutex_);  // first: a change here after it shows
    local = epoch_of(schedule_id) | (pending_.contains(schedule_id) ? kPendingBit : 0);
  }
  try {
    const auto shared = client_.command({"GET", client_.prefix() + gen_key(schedule_id)}).as_int();
    return static_cast<std::uint64_t>(shared) << kSharedShift | local;
  } catch (const RedisUnavailable&) {
    // Whether the shared copy is current cannot be known: a map rendered now is
    // kept by this instance only (as after its own unflushed change).
    return local | kPendingBit;
  }
}

void RedisSeatMapCache::put(domain::Id schedule_id, std::uint64_t generation, ports::SeatMapPtr map) {
  const auto epoch = generation & kEpochMask;
  if (generation & kPendingBit) {
    // Rendered after this instance's change, which Redis had not seen: this
    // instance keeps it; the shared copy waits for a render after the flush.
    keep(schedule_id, std::move(map), epoch);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (epoch_of(schedule_id) != epoch) return;  // changed here since the render began
  }
  try {
    const auto stored = client_.eval(kPutIfCurrent, {map_key(schedule_id), gen_key(schedule_id)},
                                     {std::to_string(generation >> kSharedShift), map->body, map->etag, "60"});
    if (stored.as_int() == 1) keep(schedule_id, std::move(map), epoch);
  } catch (const RedisUnavailable&) {
    // Not shared, and not kept: whether another instance changed it since is unknown.
  }
}

void RedisSeatMapCache::invalidate(domain::Id schedule_id) {
  std::lock_guard lock(mutex_);
  near_.erase(schedule_id);
  pending_[schedule_id] = ++epochs_[schedule_id];
  wake_.notify_one();
}

bool RedisSeatMapCache::flush() {
  std::vector<std::pair<domain::Id, std::uint64_t>> batch;
  {
    std::lock_guard lock(mutex_);
    batch.assign(pending_.begin(), pending_.end());
  }
  bool all_sent = true;
  for (const auto& [schedule_id, made] : batch) {
    try {
      client_.eval(kInvalidate, {map_key(schedule_id), gen_key(schedule_id)}, {});
    } catch (const std::exception& e) {
      spdlog::warn("seat map {} invalidation not sent to Redis yet: {}", schedule_id, e.what());
      all_sent = false;
      continue;
    }
    std::lock_guard lock(mutex_);
    if (auto it = pending_.find(schedule_id); it != pending_.end() && it->second == made) pending_.erase(it);
  }
  return all_sent;
}

void RedisSeatMapCache::flush_in_background(std::stop_token stop) {
  constexpr auto kRetryAfter = std::chrono::milliseconds(100);
  std::unique_lock lock(mutex_);
  while (wake_.wait(lock, stop, [this] { return !pending_.empty(); }) && !stop.stop_requested()) {
    lock.unlock();
    const bool sent = flush();
    lock.lock();
    if (!sent) wake_.wait_for(lock, stop, kRetryAfter, [] { return false; });  // Redis is away: try again soon
  }
}

}  // namespace concert::adapters::redis
