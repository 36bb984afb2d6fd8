#include <gtest/gtest.h>

#include <thread>

#include "adapters/inproc/rate_limiter.hpp"

namespace concert::adapters::inproc {
namespace {

using namespace std::chrono_literals;

// The limiter reads time through a plain function pointer: a global the tests move.
std::chrono::steady_clock::time_point fake_now;
std::chrono::steady_clock::time_point read_fake_now() { return fake_now; }

class InProcessRateLimiterTest : public ::testing::Test {
 protected:
  void SetUp() override { fake_now = std::chrono::steady_clock::time_point{} + 1h; }
  std::optional<std::chrono::milliseconds> take(std::initializer_list<ports::BucketTake> buckets) {
    return limiter.take(std::span<const ports::BucketTake>(buckets.begin(), buckets.size()));
  }
  InProcessRateLimiter limiter{1000, &read_fake_now};
};

TEST_F(InProcessRateLimiterTest, ABurstPassesThenTheRefillRateDecides) {
  const ports::BucketTake alice{"u:alice", {2, 3}};  // 2 a second, 3 at most
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(take({alice})) << i;
  const auto wait = take({alice});
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 500ms);  // one token comes back every half second
  fake_now += 499ms;
  EXPECT_TRUE(take({alice}));
  fake_now += 1ms;
  EXPECT_FALSE(take({alice}));
  EXPECT_TRUE(take({alice}));
  // A long pause refills only up to the burst.
  fake_now += 1h;
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(take({alice})) << i;
  EXPECT_TRUE(take({alice}));
}

TEST_F(InProcessRateLimiterTest, TakesFromEveryBucketOrFromNone) {
  const ports::BucketTake user{"u:bob", {1, 1}};
  const ports::BucketTake address{"a:198.51.100.1", {1, 2}};
  EXPECT_FALSE(take({user, address}));
  // The user's bucket is empty: the address's keeps its token.
  EXPECT_EQ(take({user, address}), 1000ms);
  const ports::BucketTake other_user{"u:carol", {1, 1}};
  EXPECT_FALSE(take({other_user, address}));
  // Now the address is empty too; the wait is the longest of the two.
  EXPECT_EQ(take({ports::BucketTake{"u:dave", {1, 1}}, address}), 1000ms);
}

TEST_F(InProcessRateLimiterTest, KeepsAtMostItsBoundOfBuckets) {
  // Idle buckets that refilled are forgotten first: nothing changes for them.
  for (int i = 0; i < 5000; ++i) take({ports::BucketTake{"a:" + std::to_string(i), {1, 1}}});
  EXPECT_LE(limiter.size(), 1000u);
  // A bucket still in debt survives a sweep of the refilled ones.
  const ports::BucketTake busy{"u:busy", {1, 1}};
  fake_now += 1h;
  EXPECT_FALSE(take({busy}));
  for (int i = 0; i < 999; ++i) take({ports::BucketTake{"fast:" + std::to_string(i), {1000, 1}}});
  fake_now += 100ms;  // the fast buckets have refilled, busy has not
  for (int i = 0; i < 10; ++i) take({ports::BucketTake{"new:" + std::to_string(i), {1, 1}}});
  EXPECT_LE(limiter.size(), 1000u);
  EXPECT_EQ(take({busy}), 900ms);  // still in debt: it was kept, not forgotten
  fake_now += 900ms;
  EXPECT_FALSE(take({busy}));
}

TEST_F(InProcessRateLimiterTest, ManyThreadsNeverTakeMoreThanTheBurst) {
  const ports::BucketTake shared{"u:rush", {1, 100}};
  std::atomic<int> passed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (!take({shared})) ++passed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(passed.load(), 100);  // the clock does not move: exactly the burst
}

}  // namespace
}  // namespace concert::adapters::inproc
