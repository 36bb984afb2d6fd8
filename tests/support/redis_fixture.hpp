// A test fixture for adapters that talk to the test command's Redis directly:
// a client whose keys carry a private prefix. Fails (never skips) when the test
// command requires the backends and Redis is unavailable.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "adapters/redis/redis_client.hpp"
#include "platform/crypto.hpp"
#include "support/app_fixture.hpp"
#include "support/backends.hpp"

namespace concert::testing {

class RedisFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    CONCERT_REQUIRE_BACKEND(AdapterKind::Production);
    options.endpoint = *adapters::redis::parse_redis_url(env_or_empty("CONCERTD_TEST_REDIS_URL"));
    options.key_prefix = "t_" + platform::random_hex(8) + ":";
    redis = std::make_unique<adapters::redis::RedisClient>(options);
  }

  adapters::redis::RedisOptions options;
  std::unique_ptr<adapters::redis::RedisClient> redis;
};

}  // namespace concert::testing
