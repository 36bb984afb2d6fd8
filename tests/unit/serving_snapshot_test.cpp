// The snapshot a poll is answered from (SPEC §2a): what it answers from memory,
// and that it asks Redis whenever it cannot be sure.
#include "adapters/redis/serving_snapshot.hpp"

#include <gtest/gtest.h>

namespace concert::adapters::redis {
namespace {

using Verdict = ServingSnapshot::Verdict;
const domain::TimePoint t0{domain::Millis(1'000'000)};

Ticket w(std::int64_t seq) { return *ticket_named(1, "w" + std::to_string(seq)); }
Ticket p(std::int64_t n) { return *ticket_named(1, "p" + std::to_string(n)); }

QueueRefresh at(std::int64_t serving, std::int64_t last, std::vector<QueueMove> moves = {}, std::int64_t oldest = 1) {
  QueueRefresh r;
  r.serving_seq = serving;
  r.last_seq = last;
  r.oldest_move = moves.empty() ? 0 : oldest;
  r.latest_move = 1'000'000;  // Redis still has the queue (below: when it lost it)
  r.moves = std::move(moves);
  return r;
}

QueueMove admitted(const std::string& name, domain::TimePoint until) { return {name, until}; }
QueueMove gone(const std::string& name) { return {name, std::nullopt}; }

TEST(ServingSnapshot, AsksRedisUntilItIsLoaded) {
  ServingSnapshot s;
  EXPECT_EQ(s.answer(w(1), t0).verdict, Verdict::Ask);
}

TEST(ServingSnapshot, PositionsFollowTheServingCounterAndActiveFansSeeTheirWindow) {
  ServingSnapshot s;
  const auto until = t0 + std::chrono::minutes(5);
  s.apply(at(2, 10, {admitted("w1", until), admitted("w2", until)}));
  EXPECT_EQ(s.cursor(), 2);
  auto active = s.answer(w(2), t0);
  EXPECT_EQ(active.verdict, Verdict::Active);
  EXPECT_EQ(active.active_until, until);
  EXPECT_EQ(s.answer(w(2), until).verdict, Verdict::Gone);  // the window closed
  auto waiting = s.answer(w(7), t0);
  EXPECT_EQ(waiting.verdict, Verdict::Waiting);
  EXPECT_EQ(waiting.position, 5);
  EXPECT_EQ(s.answer(w(11), t0).verdict, Verdict::Ask);  // entered elsewhere since the last refresh
  s.note_entered(w(11));
  EXPECT_EQ(s.answer(w(11), t0).verdict, Verdict::Waiting);
}

TEST(ServingSnapshot, DeparturesAreGoneWhetherWaitingOrActive) {
  ServingSnapshot s;
  s.apply(at(1, 10, {admitted("w1", t0 + std::chrono::minutes(5)), gone("w1"), gone("w6")}));
  EXPECT_EQ(s.answer(w(1), t0).verdict, Verdict::Gone);  // used its session
  EXPECT_EQ(s.answer(w(6), t0).verdict, Verdict::Gone);  // left while waiting
  EXPECT_EQ(s.answer(w(5), t0).verdict, Verdict::Waiting);
  // Past the serving counter, a fan not active is gone: no need to remember it.
  s.apply(at(8, 10));
  EXPECT_EQ(s.answer(w(6), t0).verdict, Verdict::Gone);
  EXPECT_EQ(s.answer(w(5), t0).verdict, Verdict::Gone);
}

TEST(ServingSnapshot, PreQueueTicketsWaitUnorderedThenTakeTheirDrawnPlace) {
  ServingSnapshot s;
  s.apply(at(0, 0));
  EXPECT_EQ(s.answer(p(2), t0).verdict, Verdict::PreQueue);
  auto drawn = at(0, 3);
  drawn.drawn = true;
  drawn.drawn_count = 3;
  s.apply(drawn);
  EXPECT_EQ(s.answer(p(2), t0).verdict, Verdict::Ask);  // its place is not loaded yet
  s.add_drawn({"p3", "p1", "p2"});
  EXPECT_EQ(s.drawn_loaded(), 3);
  EXPECT_EQ(s.answer(p(3), t0).position, 1);
  EXPECT_EQ(s.answer(p(1), t0).position, 2);
  EXPECT_EQ(s.answer(p(2), t0).position, 3);
}

TEST(ServingSnapshot, MissedMovesStartItOverFromTheActiveSet) {
  ServingSnapshot s;
  s.apply(at(0, 5, {gone("w3")}));
  EXPECT_EQ(s.cursor(), 1);
  s.apply(at(4, 9, {gone("w9")}, 50));  // moves 2..49 were trimmed before we read them
  EXPECT_EQ(s.cursor(), 0);
  EXPECT_EQ(s.answer(w(6), t0).verdict, Verdict::Ask);
  auto cold = at(4, 9, {gone("w9")}, 50);
  cold.active = {{"w4", t0 + std::chrono::minutes(1)}};
  s.apply(cold);
  EXPECT_EQ(s.cursor(), 50);
  EXPECT_EQ(s.answer(w(4), t0).verdict, Verdict::Active);
  EXPECT_EQ(s.answer(w(9), t0).verdict, Verdict::Gone);
  EXPECT_EQ(s.answer(w(6), t0).position, 2);
}

TEST(ServingSnapshot, WaitingPollsAreKeptForTheIdleTimeout) {
  ServingSnapshot s;
  s.apply(at(1, 10, {admitted("w1", t0 + std::chrono::minutes(5))}));
  s.answer(w(5), t0);
  s.answer(w(6), t0 + std::chrono::seconds(2));
  s.answer(w(1), t0 + std::chrono::seconds(3));  // an active fan is not idle-timed
  auto polls = s.take_polls();
  std::sort(polls.names.begin(), polls.names.end());
  EXPECT_EQ(polls.names, (std::vector<std::string>{"w5", "w6"}));
  EXPECT_EQ(polls.at, t0 + std::chrono::seconds(2));
  EXPECT_TRUE(s.take_polls().names.empty());
}

// Redis came back without the queue (issue 13): a refresh whose log number,
// serving or last seq went back starts the snapshot over and hands over what it
// had seen, admitted fans included, for Redis to be given back; afterwards the
// tickets handed out before the loss are sent to Redis until it knows them again.
TEST(ServingSnapshot, ARedisThatLostTheQueueStartsItOverAndHandsOverWhatItSaw) {
  ServingSnapshot s;
  const auto until = t0 + std::chrono::minutes(5);
  s.apply(at(2, 6, {admitted("w2", until)}));
  EXPECT_FALSE(s.take_lost());
  auto empty = at(0, 0);
  empty.latest_move = 0;
  s.apply(empty);
  const auto lost = s.take_lost();
  ASSERT_TRUE(lost);
  EXPECT_EQ(lost->last_seq, 6);
  EXPECT_EQ(lost->serving_seq, 2);
  EXPECT_EQ(lost->moves, 1);
  ASSERT_EQ(lost->active.size(), 1u);
  EXPECT_EQ(lost->active[0], std::make_pair(std::string("w2"), until));
  EXPECT_FALSE(s.take_lost());  // once
  EXPECT_EQ(s.cursor(), 0);     // a cold start next
  EXPECT_EQ(s.answer(w(4), t0).verdict, Verdict::Ask);

  auto restored = at(2, 7);
  restored.restored_seq = 6;
  s.apply(restored);
  EXPECT_EQ(s.answer(w(4), t0).verdict, Verdict::Ask);      // handed out before the loss: Redis re-seats it
  EXPECT_EQ(s.answer(w(7), t0).verdict, Verdict::Waiting);  // entered since: memory answers
  s.note_back(*ticket_named(1, "w4"), 4);
  EXPECT_EQ(s.answer(w(4), t0).verdict, Verdict::Waiting);
}

// A pre-queue that Redis lost: before the draw nothing but the pre-queue's count
// tells (no moves, no seqs), after it the draw's flag; either way the snapshot
// hands over how many pre-queue tickets it saw and the drawn places of those
// still waiting, and sends those tickets to Redis until it knows them again.
TEST(ServingSnapshot, ALostPreQueueIsNoticedAndItsTicketsAskRedisUntilBack) {
  ServingSnapshot before_draw;
  auto pre = at(0, 0);
  pre.pre_count = 3;
  before_draw.apply(pre);
  before_draw.note_entered(p(4));  // entered here since
  before_draw.apply(at(0, 0));
  auto lost = before_draw.take_lost();
  ASSERT_TRUE(lost);
  EXPECT_EQ(lost->pre_count, 4);
  EXPECT_FALSE(lost->was_drawn);
  auto restored = at(0, 0);
  restored.pre_count = 4;
  restored.restored_pre = 4;
  before_draw.apply(restored);
  EXPECT_EQ(before_draw.answer(p(2), t0).verdict, Verdict::Ask);
  before_draw.note_back(p(2), 0);
  EXPECT_EQ(before_draw.answer(p(2), t0).verdict, Verdict::PreQueue);

  ServingSnapshot after_draw;
  auto drawn = at(1, 3);
  drawn.drawn = true;
  drawn.pre_count = 3;
  after_draw.apply(drawn);
  after_draw.add_drawn({"p2", "p3", "p1"});  // seqs 1, 2, 3; 1 is served
  auto wiped = at(0, 0);
  wiped.latest_move = 1'000'000;
  after_draw.apply(wiped);
  lost = after_draw.take_lost();
  ASSERT_TRUE(lost);
  EXPECT_TRUE(lost->was_drawn);
  EXPECT_EQ(lost->drawn, (std::vector<std::pair<std::string, std::int64_t>>{{"p1", 3}, {"p2", 1}, {"p3", 2}}));
}

}  // namespace
}  // namespace concert::adapters::redis
