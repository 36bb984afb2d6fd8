#include "adapters/inproc/queue_store.hpp"

#include <gtest/gtest.h>

#include <set>

namespace concert::adapters::inproc {
namespace {

using domain::TokenStatus;
const domain::TimePoint t0{domain::Millis(1'000'000)};
const domain::Millis ttl = std::chrono::seconds(60);

TEST(InprocQueue, EnteringTwiceReturnsSameTokenAndPosition) {
  InprocQueueStore q;
  auto a = q.enter(1, "alice", t0, false);
  auto b = q.enter(1, "bob", t0, false);
  auto again = q.enter(1, "alice", t0, false);
  EXPECT_TRUE(a.created);
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.token.token, a.token.token);
  EXPECT_EQ(again.token.position, 1);
  EXPECT_EQ(b.token.position, 2);
}

TEST(InprocQueue, PromotesFifoAndPositionsFollowTheServingCounter) {
  InprocQueueStore q;
  std::vector<std::string> tokens;
  for (int i = 0; i < 5; ++i) tokens.push_back(q.enter(1, "u" + std::to_string(i), t0, false).token.token);
  auto promoted = q.promote(1, 2, t0, ttl);
  ASSERT_EQ(promoted.size(), 2u);
  EXPECT_EQ(promoted[0].token, tokens[0]);
  EXPECT_EQ(promoted[1].token, tokens[1]);
  EXPECT_EQ(q.status(tokens[0], "u0", t0)->status, TokenStatus::Active);
  EXPECT_EQ(q.status(tokens[2], "u2", t0)->position, 1);
  EXPECT_EQ(q.status(tokens[4], "u4", t0)->position, 3);
  EXPECT_EQ(q.counts(1).active, 2);
  EXPECT_EQ(q.counts(1).waiting, 3);
  EXPECT_EQ(q.admitted_since(1, t0), 2);
}

TEST(InprocQueue, LeavingAndUsingFreeTheSlot) {
  InprocQueueStore q;
  auto a = q.enter(1, "a", t0, false).token.token;
  auto b = q.enter(1, "b", t0, false).token.token;
  q.promote(1, 2, t0, ttl);
  EXPECT_TRUE(q.leave(a, "a"));
  q.mark_used(1, "b");
  EXPECT_EQ(q.counts(1).active, 0);
  EXPECT_FALSE(q.status(a, "a", t0).has_value());
  EXPECT_FALSE(q.status(b, "b", t0).has_value());
  EXPECT_FALSE(q.leave(a, "a"));
  // A user whose token is finished can enter again and gets a new token.
  auto again = q.enter(1, "a", t0, false);
  EXPECT_TRUE(again.created);
  EXPECT_NE(again.token.token, a);
}

TEST(InprocQueue, ActiveTokensExpireAfterTtlAndIdleWaitersAreDropped) {
  InprocQueueStore q;
  auto a = q.enter(1, "a", t0, false).token.token;
  auto b = q.enter(1, "b", t0, false).token.token;
  q.promote(1, 1, t0, ttl);
  EXPECT_FALSE(q.status(a, "a", t0 + ttl).has_value());  // past active_until
  EXPECT_EQ(q.expire(1, t0 + ttl, std::chrono::seconds(30)), 2);  // a timed out, b idle for 60 s
  EXPECT_EQ(q.counts(1).active, 0);
  EXPECT_EQ(q.counts(1).waiting, 0);
  EXPECT_FALSE(q.status(b, "b", t0 + ttl).has_value());
}

TEST(InprocQueue, PollingKeepsAWaiterAlive) {
  InprocQueueStore q;
  auto a = q.enter(1, "a", t0, false).token.token;
  ASSERT_TRUE(q.status(a, "a", t0 + std::chrono::seconds(25)).has_value());
  EXPECT_EQ(q.expire(1, t0 + std::chrono::seconds(40), std::chrono::seconds(30)), 0);
}

TEST(InprocQueue, PreQueueIsDrawnAtOpeningAheadOfLaterFans) {
  InprocQueueStore q;
  std::set<std::string> early;
  for (int i = 0; i < 50; ++i) early.insert(q.enter(1, "early" + std::to_string(i), t0, true).token.token);
  const auto first = q.enter(1, "early0", t0, true).token.token;
  EXPECT_FALSE(q.status(first, "early0", t0)->position.has_value());  // unordered before opening
  EXPECT_FALSE(q.status(first, "early1", t0).has_value());            // someone else's token
  auto late = q.enter(1, "late", t0 + ttl, false).token.token;        // first entrant after opening draws
  EXPECT_EQ(q.status(late, "late", t0 + ttl)->position, 51);
  auto promoted = q.promote(1, 50, t0 + ttl, ttl);
  std::set<std::string> promoted_tokens;
  for (const auto& t : promoted) promoted_tokens.insert(t.token);
  EXPECT_EQ(promoted_tokens, early);
}

TEST(InprocQueue, PreQueueOrderIsShuffled) {
  // With 50 fans the chance that a uniform draw keeps arrival order is 1/50!.
  InprocQueueStore q;
  std::vector<std::string> arrival;
  for (int i = 0; i < 50; ++i) arrival.push_back(q.enter(1, "f" + std::to_string(i), t0, true).token.token);
  q.shuffle_pre_queue(1, 42);
  auto promoted = q.promote(1, 50, t0, ttl);
  std::vector<std::string> order;
  for (const auto& t : promoted) order.push_back(t.token);
  EXPECT_NE(order, arrival);
  EXPECT_EQ(order.size(), arrival.size());
}

TEST(InprocQueue, BoundedTokenCount) {
  InprocQueueStore q(2);
  q.enter(1, "a", t0, false);
  q.enter(1, "b", t0, false);
  EXPECT_THROW(q.enter(1, "c", t0, false), ports::QueueFull);
}

}  // namespace
}  // namespace concert::adapters::inproc
