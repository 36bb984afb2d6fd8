// The Redis queue seen from two instances (SPEC §2a): a poll is answered from the
// instance's serving snapshot without a round trip, so it may be a refresh
// behind another instance's moves, never behind its own; the polls it answered
// reach Redis for the idle timeout; holds still ask Redis. Instance B refreshes
// only when asked to (no background refresh: not on a timer, not after its first
// poll, which would race the test), so each staleness is deliberate.
#include "adapters/redis/queue_store.hpp"
#include "support/redis_fixture.hpp"

namespace concert::testing {
namespace {

using namespace std::chrono_literals;
using adapters::redis::RedisQueueStore;
using domain::TokenStatus;

constexpr domain::Id kSchedule = 5;
const domain::TimePoint t0{domain::Millis(1'700'000'000'000)};

class RedisQueueSnapshotTest : public RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    if (!redis) return;
    redis_b = std::make_unique<adapters::redis::RedisClient>(options);
    a = std::make_unique<RedisQueueStore>(*redis, adapters::redis::RedisQueueOptions{key, 1000, 1h});
    b = std::make_unique<RedisQueueStore>(*redis_b, adapters::redis::RedisQueueOptions{key, 1000, 1h, false});
  }

  // B's snapshot catches up (expire() refreshes first; nobody is idle for a day).
  void refresh_b(domain::TimePoint now) { b->expire(kSchedule, now, 24h); }

  const std::string key = adapters::redis::queue_token_key("shared secret");
  std::unique_ptr<adapters::redis::RedisClient> redis_b;
  std::unique_ptr<RedisQueueStore> a, b;
};

TEST_F(RedisQueueSnapshotTest, PollsLagAnotherInstancesMovesUntilTheNextRefresh) {
  const auto first = a->enter(kSchedule, "fan1", t0, false).token.token;
  const auto second = a->enter(kSchedule, "fan2", t0, false).token.token;
  EXPECT_FALSE(b->try_poll(first, "fan1", t0).known);  // B knows nothing yet: only Redis can tell
  EXPECT_EQ(b->poll(first, "fan1", t0)->position, 1);  // so poll asks Redis (off the IO thread)
  refresh_b(t0);
  EXPECT_TRUE(b->try_poll(first, "fan1", t0).known);  // from now on, memory answers
  ASSERT_EQ(a->promote(kSchedule, 1, t0, 60s).size(), 1u);

  auto stale = b->poll(first, "fan1", t0);  // from memory: B has not seen the promotion yet
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, TokenStatus::Waiting);
  EXPECT_EQ(b->status(first, "fan1", t0)->status, TokenStatus::Active);  // what a hold asks: Redis itself
  EXPECT_EQ(a->poll(first, "fan1", t0)->status, TokenStatus::Active);   // A never lags its own moves

  refresh_b(t0);
  auto fresh = b->poll(first, "fan1", t0);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->status, TokenStatus::Active);
  EXPECT_EQ(fresh->active_until, t0 + 60s);
  EXPECT_EQ(b->poll(second, "fan2", t0)->position, 1);

  ASSERT_TRUE(a->leave(second, "fan2"));
  EXPECT_TRUE(b->poll(second, "fan2", t0));  // stale
  refresh_b(t0);
  EXPECT_FALSE(b->poll(second, "fan2", t0));
  a->mark_used(kSchedule, "fan1");
  refresh_b(t0);
  EXPECT_FALSE(b->poll(first, "fan1", t0));
}

TEST_F(RedisQueueSnapshotTest, TokensWorkOnlyForTheirFanOnEveryInstance) {
  const auto token = a->enter(kSchedule, "alice", t0, false).token.token;
  refresh_b(t0);
  b->poll(token, "alice", t0);
  refresh_b(t0);
  EXPECT_TRUE(b->poll(token, "alice", t0));
  EXPECT_FALSE(b->poll(token, "mallory", t0));
  EXPECT_FALSE(b->status(token, "mallory", t0));
  EXPECT_FALSE(b->leave(token, "mallory"));
  EXPECT_FALSE(RedisQueueStore(*redis, {adapters::redis::queue_token_key("another secret"), 1000, 1h})
                   .poll(token, "alice", t0));
  EXPECT_TRUE(b->poll(token, "alice", t0));  // the refused leave changed nothing
}

TEST_F(RedisQueueSnapshotTest, PollsAnsweredFromMemoryKeepAFanFromTheIdleTimeout) {
  const auto polled = a->enter(kSchedule, "polling", t0, false).token.token;
  const auto silent = a->enter(kSchedule, "silent", t0, false).token.token;
  b->poll(polled, "polling", t0);
  refresh_b(t0);
  ASSERT_TRUE(b->poll(polled, "polling", t0 + 50s));  // answered from memory, kept for Redis
  refresh_b(t0 + 50s);
  EXPECT_EQ(a->expire(kSchedule, t0 + 70s, 30s), 1);  // only the silent fan was idle for 30 s
  EXPECT_TRUE(a->status(polled, "polling", t0 + 70s));
  EXPECT_FALSE(a->status(silent, "silent", t0 + 70s));
}

TEST_F(RedisQueueSnapshotTest, PreQueueFansLearnTheirDrawnPlaceFromTheSnapshot) {
  std::vector<std::string> tokens;
  for (int i = 0; i < 5; ++i) tokens.push_back(a->enter(kSchedule, "early" + std::to_string(i), t0, true).token.token);
  b->poll(tokens[0], "early0", t0);
  refresh_b(t0);
  auto before = b->poll(tokens[0], "early0", t0);
  ASSERT_TRUE(before);
  EXPECT_FALSE(before->position);  // unordered until the opening
  a->shuffle_pre_queue(kSchedule, 42);
  refresh_b(t0);
  std::set<std::int64_t> places;
  for (int i = 0; i < 5; ++i) {
    auto polled = b->poll(tokens[static_cast<std::size_t>(i)], "early" + std::to_string(i), t0);
    ASSERT_TRUE(polled && polled->position);
    EXPECT_EQ(*polled->position, *b->status(tokens[static_cast<std::size_t>(i)], "early" + std::to_string(i), t0)->position);
    places.insert(*polled->position);
  }
  EXPECT_EQ(places, (std::set<std::int64_t>{1, 2, 3, 4, 5}));
  // A late pre-queue entrant (its instance's clock says "not open yet") is numbered, not lost.
  auto late = a->enter(kSchedule, "late", t0, true).token;
  EXPECT_EQ(late.position, 6);
}

}  // namespace
}  // namespace concert::testing
