// The `local` / production profile (SPEC §2): MySQL/MariaDB is the source of
// truth; Redis holds the queue, the seat-map cache, the worker leases and the
// event stream. Any number of instances may run against the same pair.
#pragma once

#include "adapters/redis/redis_client.hpp"
#include "bootstrap/adapter_set.hpp"
#include "domain/errors.hpp"
#include "platform/config.hpp"

namespace concert::bootstrap {

domain::Result<AdapterSet> open_local(const platform::Config& config);
domain::Result<void> migrate_local(const platform::Config& config);
// The configured Redis (CONCERTD_REDIS_URL, key prefix) with a pool of `pool_size` connections.
domain::Result<adapters::redis::RedisOptions> redis_options(const platform::Config& config, int pool_size);

}  // namespace concert::bootstrap
