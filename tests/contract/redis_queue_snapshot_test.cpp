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
  EXPECT_EQ(a->poll(first, "fan1", t0)->status, TokenStatus::Active);    // A never lags its own moves

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
  EXPECT_FALSE(
      RedisQueueStore(*redis, {adapters::redis::queue_token_key("another secret"), 1000, 1h}).poll(token, "alice", t0));
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
    EXPECT_EQ(*polled->position,
              *b->status(tokens[static_cast<std::size_t>(i)], "early" + std::to_string(i), t0)->position);
    places.insert(*polled->position);
  }
  EXPECT_EQ(places, (std::set<std::int64_t>{1, 2, 3, 4, 5}));
  // A late pre-queue entrant (its instance's clock says "not open yet") is numbered, not lost.
  auto late = a->enter(kSchedule, "late", t0, true).token;
  EXPECT_EQ(late.position, 6);
}

// Redis restarts without persistence (issue 13): every key of the queue is gone
// while instances still hold snapshots of it. The first refresh that sees Redis
// behind it writes the counters back, so the queue moves again with no restart;
// a waiting fan's signed ticket takes its own place again on its next poll, an
// admitted fan's its session, and a fan who enters afterwards is numbered after
// every ticket already handed out and admitted after the fans who were ahead of it.
TEST_F(RedisQueueSnapshotTest, AfterRedisLosesTheQueueItMovesOnAndNobodyIsPassedByLaterFans) {
  std::vector<std::string> tokens;
  for (int i = 1; i <= 4; ++i) tokens.push_back(a->enter(kSchedule, "fan" + std::to_string(i), t0, false).token.token);
  ASSERT_EQ(a->promote(kSchedule, 1, t0, 60s).size(), 1u);  // fan1 is admitted; 2, 3, 4 wait
  b->poll(tokens[1], "fan2", t0);
  refresh_b(t0);
  ASSERT_EQ(b->poll(tokens[1], "fan2", t0)->position, 1);

  // Redis comes back empty: the queue's keys are gone.
  std::vector<std::string> del{"DEL"};
  for (const char* k :
       {"waiting", "pre", "active", "seen", "users", "meta", "tokens", "admitted", "admlog", "moves", "drawn"}) {
    del.push_back(redis->prefix() + "q:{s:" + std::to_string(kSchedule) + "}:" + k);
  }
  redis->command(del);

  refresh_b(t0 + 1s);  // B sees Redis behind its snapshot and writes back how far the queue had gone
  const auto late = a->enter(kSchedule, "late", t0 + 1s, false).token;
  EXPECT_EQ(late.position, 4);  // seq 5 (not a second "w1"), served up to 1: behind fans 2, 3, 4
  const auto fan3 = b->status(tokens[2], "fan3", t0 + 1s);  // fan3 polls: its place again
  ASSERT_TRUE(fan3);
  EXPECT_EQ(fan3->status, TokenStatus::Waiting);
  EXPECT_EQ(fan3->position, 2);  // seq 3, served up to 1
  ASSERT_TRUE(b->status(tokens[1], "fan2", t0 + 1s));
  EXPECT_FALSE(b->status(tokens[2], "mallory", t0 + 1s));  // a ticket re-seats only its own fan
  EXPECT_TRUE(b->leave(tokens[2], "fan3"));
  EXPECT_FALSE(b->status(tokens[2], "fan3", t0 + 1s));  // once: a fan who left after the loss stays gone

  ASSERT_TRUE(b->status(tokens[3], "fan4", t0 + 1s));
  // fan1 was admitted before the loss, as B saw: its session comes back as it was.
  const auto fan1 = b->status(tokens[0], "fan1", t0 + 1s);
  ASSERT_TRUE(fan1);
  EXPECT_EQ(fan1->status, TokenStatus::Active);
  EXPECT_EQ(fan1->active_until, t0 + 60s);
  EXPECT_EQ(a->counts(kSchedule).active, 1);

  // The queue moves again, in ticket order: fan2 and fan4 before the late fan.
  const auto admitted = a->promote(kSchedule, 2, t0 + 2s, 60s);
  ASSERT_EQ(admitted.size(), 2u);
  EXPECT_EQ(admitted[0].user_id, "fan2");
  EXPECT_EQ(admitted[1].user_id, "fan4");
  refresh_b(t0 + 2s);
  EXPECT_EQ(b->poll(tokens[1], "fan2", t0 + 2s)->status, TokenStatus::Active);
  EXPECT_EQ(b->poll(late.token, "late", t0 + 2s)->position, 1);
}

}  // namespace
}  // namespace concert::testing
