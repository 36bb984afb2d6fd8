// The Redis lease of the background jobs: one holder at a time, and a holder
// that stops gracefully hands it back so the next instance takes over at once.
#include "adapters/redis/lease.hpp"
#include "support/redis_fixture.hpp"

namespace concert::testing {
namespace {

using namespace std::chrono_literals;

class RedisLeaseTest : public RedisFixture {};

TEST_F(RedisLeaseTest, AReleasedLeaseIsTakenAtOnceAndOnlyItsHolderCanReleaseIt) {
  adapters::redis::RedisLease lease(*redis);
  ASSERT_TRUE(lease.hold("relay", "a", 60s));
  EXPECT_FALSE(lease.hold("relay", "b", 60s));
  lease.release("relay", "b");  // not b's to give
  EXPECT_FALSE(lease.hold("relay", "b", 60s));
  EXPECT_TRUE(lease.hold("relay", "a", 60s));  // still a's
  lease.release("relay", "a");
  EXPECT_TRUE(lease.hold("relay", "b", 60s));  // at once, not after the 60 s
  EXPECT_FALSE(lease.hold("relay", "a", 60s));
  lease.release("promotion", "a");  // nothing held: nothing happens
  EXPECT_TRUE(lease.hold("promotion", "a", 60s));
}

}  // namespace
}  // namespace concert::testing
