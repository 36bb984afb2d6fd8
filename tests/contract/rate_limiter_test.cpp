// The abuse limits' buckets: the Redis ones, shared by every instance, and the
// fallback to this instance's own while Redis is unreachable.
#include "adapters/inproc/rate_limiter.hpp"

#include <atomic>
#include <thread>

#include "adapters/redis/rate_limiter.hpp"
#include "app/abuse_limits.hpp"
#include "support/redis_fixture.hpp"

namespace concert::testing {
namespace {

using namespace std::chrono_literals;

std::optional<std::chrono::milliseconds> take(ports::RateLimiter& limiter,
                                              std::initializer_list<ports::BucketTake> buckets) {
  return limiter.take(std::span<const ports::BucketTake>(buckets.begin(), buckets.size()));
}

class RedisRateLimiterTest : public RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    if (redis) redis_b = std::make_unique<adapters::redis::RedisClient>(options);  // a second instance's client
  }
  std::unique_ptr<adapters::redis::RedisClient> redis_b;
};

TEST_F(RedisRateLimiterTest, InstancesTakeFromOneBucketAndItRefills) {
  adapters::redis::RedisRateLimiter a(*redis), b(*redis_b);
  const ports::BucketTake fan{"u:fan", {10, 4}};
  EXPECT_FALSE(take(a, {fan}));
  EXPECT_FALSE(take(b, {fan}));
  EXPECT_FALSE(take(a, {fan}));
  EXPECT_FALSE(take(b, {fan}));
  const auto wait = take(a, {fan});  // the fifth, on either instance
  ASSERT_TRUE(wait);
  EXPECT_GT(wait->count(), 0);
  EXPECT_LE(wait->count(), 100);  // one token every 100 ms
  EXPECT_TRUE(take(b, {fan}));
  std::this_thread::sleep_for(*wait + 20ms);
  EXPECT_FALSE(take(b, {fan}));
  // The bucket goes away once it would have refilled: no key outlives its use.
  const auto ttl = redis->command({"PTTL", redis->prefix() + "rate:u:fan"}).as_int();
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 4 * 100 + 1000);
}

TEST_F(RedisRateLimiterTest, TakesFromEveryBucketOrFromNone) {
  adapters::redis::RedisRateLimiter a(*redis);
  const ports::BucketTake user{"u:bob", {1, 1}};
  const ports::BucketTake address{"a:198.51.100.1", {1, 2}};
  EXPECT_FALSE(take(a, {user, address}));
  EXPECT_TRUE(take(a, {user, address}));  // the user is out: the address keeps its token
  EXPECT_FALSE(take(a, {ports::BucketTake{"u:carol", {1, 1}}, address}));
  EXPECT_TRUE(take(a, {ports::BucketTake{"u:dave", {1, 1}}, address}));
}

TEST_F(RedisRateLimiterTest, ManyThreadsOnTwoInstancesNeverTakeMoreThanTheBurst) {
  adapters::redis::RedisRateLimiter a(*redis), b(*redis_b);
  // So slow a refill that the run cannot earn a token: exactly the burst passes.
  const ports::BucketTake shared{"a:203.0.113.5", {1, 60}};
  std::atomic<int> passed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      auto& limiter = t % 2 ? a : b;
      for (int i = 0; i < 20; ++i) {
        if (!take(limiter, {shared})) ++passed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(passed.load(), 60);
}

class AbuseLimitsTest : public RedisFixture {
 protected:
  app::AbuseLimitSettings settings{{1, 2}, {100, 3}, {1, 2}, {0, 1}};
  platform::Registry metrics;
  adapters::inproc::InProcessRateLimiter fallback;
};

TEST_F(AbuseLimitsTest, AUserOverTheLimitIsRefusedWithWhenToRetryAndCounted) {
  adapters::redis::RedisRateLimiter shared(*redis);
  app::AbuseLimits limits(shared, fallback, settings, metrics);
  // Any sub is a user id (SPEC §4): odd bytes make a plain, short key.
  const std::string sub = "auth0|\xF0\x9F\x8E\xAB \x01" + std::string(100, 'x');
  EXPECT_FALSE(limits.admit(app::LimitedAction::QueueEntry, sub, "198.51.100.1"));
  EXPECT_FALSE(limits.admit(app::LimitedAction::QueueEntry, sub, "198.51.100.2"));
  const auto refused = limits.admit(app::LimitedAction::QueueEntry, sub, "198.51.100.3");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->error.code, domain::ErrorCode::RateLimited);
  EXPECT_EQ(refused->retry_after, 1s);
  // Another sub that differs only after byte 32 is another user.
  EXPECT_FALSE(limits.admit(app::LimitedAction::QueueEntry, sub + "y", "198.51.100.1"));
  // Writes have buckets of their own.
  EXPECT_FALSE(limits.admit(app::LimitedAction::Write, sub, "198.51.100.1"));
  EXPECT_NE(metrics.render().find(R"(concertd_rate_limited_total{action="queue_entry"} 1)"), std::string::npos)
      << metrics.render();
}

TEST_F(AbuseLimitsTest, TheAddressLimitCountsEveryUserOfOneAddressAndZeroTurnsALimitOff) {
  adapters::redis::RedisRateLimiter shared(*redis);
  app::AbuseLimits limits(shared, fallback, settings, metrics);
  for (int i = 0; i < 3; ++i)
    EXPECT_FALSE(limits.admit(app::LimitedAction::QueueEntry, "u" + std::to_string(i), "nat"));
  EXPECT_TRUE(limits.admit(app::LimitedAction::QueueEntry, "u9", "nat"));
  EXPECT_FALSE(limits.admit(app::LimitedAction::QueueEntry, "u9", "elsewhere"));
  // writes_per_address is 0: only the per-user write limit counts.
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(limits.admit(app::LimitedAction::Write, "w" + std::to_string(i), "nat"));
}

TEST_F(AbuseLimitsTest, WhileRedisIsDownTheInstanceCountsInItsOwnMemory) {
  auto down = options;
  down.endpoint.port = 1;  // nothing listens there
  down.connect_timeout = 200ms;
  adapters::redis::RedisClient unreachable(down);
  adapters::redis::RedisRateLimiter shared(unreachable);
  app::AbuseLimits limits(shared, fallback, settings, metrics);
  EXPECT_FALSE(limits.admit(app::LimitedAction::Write, "mallory", "198.51.100.1"));
  EXPECT_FALSE(limits.admit(app::LimitedAction::Write, "mallory", "198.51.100.1"));
  const auto refused = limits.admit(app::LimitedAction::Write, "mallory", "198.51.100.1");
  ASSERT_TRUE(refused);  // still limited, not let through and not refused for everyone
  EXPECT_EQ(refused->error.code, domain::ErrorCode::RateLimited);
  EXPECT_FALSE(limits.admit(app::LimitedAction::Write, "alice", "198.51.100.1"));
  EXPECT_NE(metrics.render().find(R"(concertd_rate_limit_fallbacks_total{action="write"} 4)"), std::string::npos)
      << metrics.render();
}

}  // namespace
}  // namespace concert::testing
