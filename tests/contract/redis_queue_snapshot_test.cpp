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

  // Redis comes back empty: the queue's keys are gone.
  void lose_the_queue() {
    std::vector<std::string> del{"DEL"};
    for (const char* k :
         {"waiting", "pre", "active", "seen", "users", "meta", "tokens", "admitted", "admlog", "moves", "drawn"}) {
      del.push_back(redis->prefix() + "q:{s:" + std::to_string(kSchedule) + "}:" + k);
    }
    redis->command(del);
  }

  // Fans who enter the pre-queue on A, the first polled on B.
  std::vector<std::string> pre_queue(int fans) {
    std::vector<std::string> tokens;
    for (int i = 0; i < fans; ++i) tokens.push_back(a->enter(kSchedule, fan(i), t0, true).token.token);
    b->poll(tokens[0], fan(0), t0);
    return tokens;
  }
  static std::string fan(int i) { return "early" + std::to_string(i); }

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

  lose_the_queue();

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

// Redis loses a pre-queue before its draw (issue 13): its tickets have no seq
// yet. A fan who enters the pre-queue afterwards gets a new number, not one
// already handed out; a fan who polls again joins the pre-queue again; one who
// does not poll before the opening still has a place of its own in the draw,
// which it takes when it polls; and a fan who enters after the opening is behind
// all of them.
TEST_F(RedisQueueSnapshotTest, APreQueueLostBeforeItsDrawKeepsEveryTicketAheadOfLaterFans) {
  const auto tokens = pre_queue(3);
  refresh_b(t0);
  lose_the_queue();
  refresh_b(t0 + 1s);  // B writes back that three pre-queue tickets were handed out

  const auto newcomer = a->enter(kSchedule, "newcomer", t0 + 1s, true).token.token;
  EXPECT_NE(newcomer.substr(0, newcomer.find('.', 2)), tokens[0].substr(0, tokens[0].find('.', 2)));
  EXPECT_EQ(a->counts(kSchedule).pre_queue, 1);
  const auto early0 = b->status(tokens[0], fan(0), t0 + 1s);  // polls again: in the pre-queue again
  ASSERT_TRUE(early0);
  EXPECT_FALSE(early0->position);
  EXPECT_FALSE(b->status(tokens[1], "mallory", t0 + 1s));  // a ticket re-seats only its own fan
  EXPECT_EQ(a->counts(kSchedule).pre_queue, 2);

  a->shuffle_pre_queue(kSchedule, 7);  // the opening: early1 and early2 have not polled since the loss
  const auto later = a->enter(kSchedule, "later", t0 + 2s, false).token;
  EXPECT_EQ(later.position, 5);  // behind the four pre-queue tickets, present or not
  std::set<std::int64_t> places;
  for (int i = 0; i < 3; ++i) {
    const auto polled = b->status(tokens[static_cast<std::size_t>(i)], fan(i), t0 + 2s);
    ASSERT_TRUE(polled && polled->position) << fan(i);
    places.insert(*polled->position);
  }
  places.insert(*a->status(newcomer, "newcomer", t0 + 2s)->position);
  EXPECT_EQ(places, (std::set<std::int64_t>{1, 2, 3, 4}));
  const auto admitted = a->promote(kSchedule, 5, t0 + 2s, 60s);
  ASSERT_EQ(admitted.size(), 4u);  // promotion holds the later fan back for the tickets handed out before
  for (const auto& t : admitted) EXPECT_NE(t.user_id, "later");
}

// Redis loses the queue after the draw, before the pre-queue was admitted: an
// instance that loaded the draw writes each waiting ticket's place back, and
// each fan takes exactly that place again, ahead of fans who enter afterwards.
TEST_F(RedisQueueSnapshotTest, APreQueueLostAfterItsDrawKeepsItsDrawnPlaces) {
  const auto tokens = pre_queue(4);
  a->shuffle_pre_queue(kSchedule, 42);
  refresh_b(t0);
  std::vector<std::int64_t> drawn;
  for (int i = 0; i < 4; ++i) drawn.push_back(*b->poll(tokens[static_cast<std::size_t>(i)], fan(i), t0)->position);
  ASSERT_EQ(a->promote(kSchedule, 1, t0, 60s).size(), 1u);
  refresh_b(t0);
  lose_the_queue();
  refresh_b(t0 + 1s);

  const auto later = a->enter(kSchedule, "later", t0 + 1s, false).token;
  EXPECT_EQ(later.position, 4);  // seq 5, served up to 1
  for (int i = 0; i < 4; ++i) {
    const auto polled = b->status(tokens[static_cast<std::size_t>(i)], fan(i), t0 + 1s);
    ASSERT_TRUE(polled) << fan(i);
    if (drawn[static_cast<std::size_t>(i)] == 1) {
      EXPECT_EQ(polled->status, TokenStatus::Active) << fan(i);  // the one admitted gets its session back
    } else {
      EXPECT_EQ(polled->position, drawn[static_cast<std::size_t>(i)] - 1) << fan(i);  // its own place
      EXPECT_EQ(b->poll(tokens[static_cast<std::size_t>(i)], fan(i), t0 + 1s)->position, polled->position);
    }
  }
  const auto admitted = a->promote(kSchedule, 4, t0 + 2s, 60s);
  ASSERT_EQ(admitted.size(), 3u);
  for (const auto& t : admitted) EXPECT_NE(t.user_id, "later");
}

}  // namespace
}  // namespace concert::testing
