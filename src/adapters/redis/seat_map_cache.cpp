#include "adapters/redis/seat_map_cache.hpp"

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

}  // namespace

ports::SeatMapPtr RedisSeatMapCache::get(domain::Id schedule_id) {
  std::lock_guard lock(mutex_);
  auto it = near_.find(schedule_id);
  if (it == near_.end() || Clock::now() - it->second.fetched_at >= local_ttl_) return nullptr;
  return it->second.map;
}

ports::SeatMapPtr RedisSeatMapCache::load(domain::Id schedule_id) {
  if (auto near = get(schedule_id)) return near;
  auto r = client_.command({"HMGET", client_.prefix() + map_key(schedule_id), "body", "etag"});
  if (r.elements.size() != 2 || r.elements[0].type != Reply::Type::String) return nullptr;
  auto map = std::make_shared<const ports::CachedSeatMap>(ports::CachedSeatMap{r.elements[0].str, r.elements[1].str});
  keep(schedule_id, map);
  return map;
}

void RedisSeatMapCache::keep(domain::Id schedule_id, ports::SeatMapPtr map) {
  std::lock_guard lock(mutex_);
  near_[schedule_id] = {std::move(map), Clock::now()};
}

std::uint64_t RedisSeatMapCache::generation(domain::Id schedule_id) {
  return static_cast<std::uint64_t>(client_.command({"GET", client_.prefix() + gen_key(schedule_id)}).as_int());
}

void RedisSeatMapCache::put(domain::Id schedule_id, std::uint64_t generation, ports::SeatMapPtr map) {
  const auto stored = client_.eval(kPutIfCurrent, {map_key(schedule_id), gen_key(schedule_id)},
                                   {std::to_string(generation), map->body, map->etag, "60"});
  if (stored.as_int() == 1) keep(schedule_id, std::move(map));
}

void RedisSeatMapCache::invalidate(domain::Id schedule_id) {
  client_.eval(kInvalidate, {map_key(schedule_id), gen_key(schedule_id)}, {});
  std::lock_guard lock(mutex_);
  near_.erase(schedule_id);
}

}  // namespace concert::adapters::redis
