#include "bootstrap/local.hpp"

#include "adapters/inproc/system_clock.hpp"
#include "adapters/mysql/mysql_store.hpp"
#include "adapters/redis/lease.hpp"
#include "adapters/redis/queue_store.hpp"
#include "adapters/redis/rate_limiter.hpp"
#include "adapters/redis/seat_lock.hpp"
#include "adapters/redis/seat_map_cache.hpp"
#include "adapters/redis/stream_sink.hpp"
#include "bootstrap/gateway.hpp"

namespace concert::bootstrap {

namespace {

domain::Result<adapters::mysql::ConnectionOptions> mysql_options(const platform::Config& config) {
  auto endpoint = adapters::mysql::parse_mysql_url(config.mysql_url);
  if (!endpoint) return tl::unexpected(endpoint.error());
  return adapters::mysql::ConnectionOptions{*endpoint};
}

}  // namespace

domain::Result<void> migrate_local(const platform::Config& config) {
  auto options = mysql_options(config);
  if (!options) return tl::unexpected(options.error());
  try {
    adapters::mysql::migrate_mysql(*options);
  } catch (const std::exception& e) {
    return domain::fail(domain::ErrorCode::Unavailable, e.what());
  }
  return {};
}

domain::Result<adapters::redis::RedisOptions> redis_options(const platform::Config& config, int pool_size) {
  auto endpoint = adapters::redis::parse_redis_url(config.redis_url);
  if (!endpoint) return tl::unexpected(endpoint.error());
  adapters::redis::RedisOptions options;
  options.endpoint = *endpoint;
  options.pool_size = pool_size;
  options.key_prefix = config.redis_key_prefix;
  return options;
}

domain::Result<AdapterSet> open_local(const platform::Config& config) {
  auto options = mysql_options(config);
  if (!options) return tl::unexpected(options.error());
  auto redis_config = redis_options(config, config.io_threads + config.db_threads + config.queue_threads + 2);
  if (!redis_config) return tl::unexpected(redis_config.error());

  AdapterSet set;
  auto redis = std::make_shared<adapters::redis::RedisClient>(*redis_config);
  set.instance_guard = redis;
  set.clock = std::make_unique<adapters::inproc::SystemClock>();
  try {
    set.store = adapters::mysql::open_mysql_store({*options, config.db_threads, std::chrono::milliseconds(2000)});
  } catch (const std::exception& e) {
    return domain::fail(domain::ErrorCode::Unavailable, e.what());
  }
  if (!config.mysql_replica_url.empty()) {
    auto replica = adapters::mysql::parse_mysql_url(config.mysql_replica_url);
    if (!replica) return tl::unexpected(replica.error());
    set.replica = adapters::mysql::open_mysql_replica(
        {adapters::mysql::ConnectionOptions{*replica}, config.db_threads, std::chrono::milliseconds(2000)});
  }
  set.queue = std::make_unique<adapters::redis::RedisQueueStore>(
      *redis, adapters::redis::RedisQueueOptions{adapters::redis::queue_token_key(config.jwt_secret), 2'000'000,
                                                 std::chrono::milliseconds(config.queue_refresh_interval_ms)});
  set.seat_maps = std::make_unique<adapters::redis::RedisSeatMapCache>(
      *redis, std::chrono::milliseconds(config.seat_map_local_ttl_ms));
  set.seat_locks = std::make_unique<adapters::redis::RedisSeatLock>(*redis);
  set.sink = std::make_unique<adapters::redis::RedisStreamSink>(*redis);
  set.lease = std::make_unique<adapters::redis::RedisLease>(*redis);
  set.rate_limiter = std::make_unique<adapters::redis::RedisRateLimiter>(*redis);
  auto gateway = open_gateway(config);
  if (!gateway) return tl::unexpected(gateway.error());
  set.gateway = std::move(*gateway);
  set.ready = [store = set.store.get(), redis] {
    if (!store->ping()) return false;
    try {
      return redis->command({"PING"}).str == "PONG";
    } catch (const std::exception&) {
      return false;
    }
  };
  return set;
}

}  // namespace concert::bootstrap
