// The waiting queue driven by the promotion worker (SPEC §3 queue token, I5).
#include "contract_fixture.hpp"

namespace concert::testing {
namespace {

using domain::ErrorCode;
using domain::TokenStatus;

class Queue : public ContractTest {};
CONCERT_CONTRACT_SUITE(Queue);

TEST_P(Queue, AdmissionsRespectRateAndCapacityInFifoOrder) {
  auto s = f->make_schedule(10, {10, 25, 600, 3600});
  std::vector<std::string> tokens;
  for (int i = 0; i < 40; ++i) tokens.push_back(f->services->queue.enter("fan" + std::to_string(i), s.id)->token.token);
  auto active_count = [&] { return f->queue->counts(s.id).active; };

  EXPECT_EQ(f->promoter->tick(), 10);
  EXPECT_EQ(f->promoter->tick(), 0);  // same second: the rate is spent
  f->clock.advance(std::chrono::milliseconds(999));
  EXPECT_EQ(f->promoter->tick(), 0);
  f->clock.advance(std::chrono::milliseconds(1));
  EXPECT_EQ(f->promoter->tick(), 10);
  f->clock.advance(std::chrono::seconds(1));
  EXPECT_EQ(f->promoter->tick(), 5);  // capacity 25 reached
  EXPECT_EQ(active_count(), 25);
  // FIFO: exactly the first 25 are active.
  for (int i = 0; i < 40; ++i) {
    auto st = f->services->queue.status("fan" + std::to_string(i), tokens[static_cast<std::size_t>(i)]);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->token.status == TokenStatus::Active, i < 25) << i;
  }
  // Leaving frees a slot at once.
  ASSERT_TRUE(f->services->queue.leave("fan0", tokens[0]));
  f->clock.advance(std::chrono::seconds(1));
  EXPECT_EQ(f->promoter->tick(), 1);
}

// The admission log records every promotion in FIFO order with who, when they
// entered and when they were admitted; pages continue after the last seq.
TEST_P(Queue, AdmissionLogListsPromotionsInFifoOrderPageByPage) {
  auto s = f->make_schedule(10, {4, 100, 600, 3600});
  const auto entered = f->clock.now();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(f->services->queue.enter("fan" + std::to_string(i), s.id));
  ASSERT_TRUE(f->services->queue.leave("fan1", f->services->queue.enter("fan1", s.id)->token.token));
  EXPECT_EQ(f->promoter->tick(), 4);
  f->clock.advance(std::chrono::seconds(1));
  const auto second = f->clock.now();
  EXPECT_EQ(f->promoter->tick(), 4);

  auto first_page = f->services->admin.admissions(s.id, 0, 5);
  ASSERT_TRUE(first_page);
  ASSERT_EQ(first_page->size(), 5u);
  auto rest = f->services->admin.admissions(s.id, first_page->back().seq, 100);
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->size(), 3u);
  std::vector<ports::Admission> log = *first_page;
  log.insert(log.end(), rest->begin(), rest->end());
  const std::vector<std::string> expected{"fan0", "fan2", "fan3", "fan4", "fan5", "fan6", "fan7", "fan8"};
  for (std::size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].user_id, expected[i]) << i;
    EXPECT_EQ(log[i].entered_at, entered);
    EXPECT_EQ(log[i].admitted_at, i < 4 ? entered : second) << i;
    if (i > 0) {
      EXPECT_GT(log[i].seq, log[i - 1].seq);
    }
  }
  EXPECT_TRUE(f->services->admin.admissions(s.id, log.back().seq, 100)->empty());
  EXPECT_EQ(f->services->admin.admissions(s.id + 1000, 0, 100).error().code, domain::ErrorCode::NotFound);
}

TEST_P(Queue, EnteringTwiceReturnsTheSameTokenAndPosition) {
  auto s = f->make_schedule(10);
  auto a = f->services->queue.enter("alice", s.id);
  auto b = f->services->queue.enter("alice", s.id);
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(a->created);
  EXPECT_FALSE(b->created);
  EXPECT_EQ(a->token.token, b->token.token);
  EXPECT_EQ(a->token.position, b->token.position);
}

TEST_P(Queue, ClosedSalesAndUnknownSchedulesAreRefused) {
  auto s = f->make_schedule(10);
  EXPECT_EQ(f->services->queue.enter("alice", 999).error().code, ErrorCode::NotFound);
  f->clock.advance(std::chrono::hours(24 * 29));
  f->services->schedules.forget();
  EXPECT_EQ(f->services->queue.enter("alice", s.id).error().code, ErrorCode::SalesClosed);
}

TEST_P(Queue, ActiveSessionsExpireAndIdleWaitersAreDropped) {
  auto s = f->make_schedule(10, {1, 1, 30, 10});
  auto a = f->admit("alice", s.id);
  auto b = f->services->queue.enter("bob", s.id)->token.token;
  f->clock.advance(std::chrono::seconds(31));
  f->promoter->tick();
  EXPECT_EQ(f->services->queue.status("alice", a).error().code, ErrorCode::NotFound);
  EXPECT_EQ(f->services->queue.status("bob", b).error().code, ErrorCode::NotFound);  // idle > 10 s
}

TEST_P(Queue, StatusOfSomeoneElsesTokenIsNotFound) {
  auto s = f->make_schedule(10);
  auto a = f->services->queue.enter("alice", s.id)->token.token;
  EXPECT_EQ(f->services->queue.status("mallory", a).error().code, ErrorCode::NotFound);
  EXPECT_EQ(f->services->queue.leave("mallory", a).error().code, ErrorCode::NotFound);
  EXPECT_TRUE(f->services->queue.status("alice", a));
}

TEST_P(Queue, PreQueueWaitsUnorderedUntilOpening) {
  auto concert = f->services->admin.create_concert("Later");
  app::NewSchedule ns;
  const auto now = f->clock.now();
  ns.starts_at = now + std::chrono::hours(48);
  ns.sales_open_at = now + std::chrono::minutes(10);
  ns.sales_close_at = now + std::chrono::hours(24);
  ns.sections = {{"A", "R", 1000, 1, 10}};
  ns.queue = domain::QueueSettings{50, 500, 600, 3600};  // the fan does not poll while we jump ahead
  auto s = f->services->admin.create_schedule(concert->id, ns);
  ASSERT_TRUE(s);
  auto early = f->services->queue.enter("early", s->id);
  ASSERT_TRUE(early);
  EXPECT_FALSE(early->token.position.has_value());
  EXPECT_EQ(early->eta_seconds, 600);
  EXPECT_EQ(f->promoter->tick(), 0);  // nobody is admitted before opening
  f->clock.advance(std::chrono::minutes(10));
  EXPECT_EQ(f->promoter->tick(), 1);
  auto status = f->services->queue.status("early", early->token.token);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->token.status, TokenStatus::Active);
}

}  // namespace
}  // namespace concert::testing
