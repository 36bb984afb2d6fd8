// Idempotency-Key records and the outbox relay (SPEC §4 idempotency, I3, I4).
#include "contract_fixture.hpp"

namespace concert::testing {
namespace {

using domain::ErrorCode;

class IdempotencyAndOutbox : public ContractTest {};
CONCERT_CONTRACT_SUITE(IdempotencyAndOutbox);

TEST_P(IdempotencyAndOutbox, StoresReplaysAndRejectsReuse) {
  auto& idem = f->services->idempotency;
  app::IdempotencyScope k{"alice", "payments", "key-1"};
  auto first = idem.begin(k, "body-a");
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->replay);
  EXPECT_EQ(idem.begin(k, "body-a").error().code, ErrorCode::KeyInFlight);
  idem.finish(k, 201, "{\"ok\":true}");
  auto replay = idem.begin(k, "body-a");
  ASSERT_TRUE(replay && replay->replay);
  EXPECT_EQ(replay->replay->status, 201);
  EXPECT_EQ(replay->replay->body, "{\"ok\":true}");
  EXPECT_EQ(idem.begin(k, "body-b").error().code, ErrorCode::KeyReused);
  // Keys are per user and per operation.
  EXPECT_FALSE(idem.begin({"bob", "payments", "key-1"}, "body-b")->replay);
  EXPECT_FALSE(idem.begin({"alice", "refunds", "key-1"}, "body-b")->replay);
}

TEST_P(IdempotencyAndOutbox, RetryableAnswersAreNotStored) {
  auto& idem = f->services->idempotency;
  for (int status : {409, 429, 500, 503}) {
    app::IdempotencyScope k{"alice", "payments", "key-" + std::to_string(status)};
    ASSERT_TRUE(idem.begin(k, "b"));
    idem.finish(k, status, "{}");
    auto again = idem.begin(k, "b");
    ASSERT_TRUE(again);
    EXPECT_FALSE(again->replay) << status;
  }
  app::IdempotencyScope stored{"alice", "payments", "declined"};
  ASSERT_TRUE(idem.begin(stored, "b"));
  idem.finish(stored, 402, "{}");
  EXPECT_TRUE(idem.begin(stored, "b")->replay);  // errors other than 409/429/5xx are stored
}

TEST_P(IdempotencyAndOutbox, AStaleInFlightKeyIsTakenOver) {
  auto& idem = f->services->idempotency;
  app::IdempotencyScope k{"alice", "payments", "crashed"};
  ASSERT_TRUE(idem.begin(k, "b"));
  f->clock.advance(std::chrono::seconds(61));
  auto taken = idem.begin(k, "b");
  ASSERT_TRUE(taken);
  EXPECT_FALSE(taken->replay);
}

TEST_P(IdempotencyAndOutbox, RelayPublishesEveryEventOnceInOrder) {
  auto s = f->make_schedule(10);
  auto all = f->store->begin(ports::TxMode::Read)->list_seats(s.id);
  auto r1 = f->hold("alice", s.id, {all[0].id});
  auto r2 = f->hold("bob", s.id, {all[1].id});
  ASSERT_TRUE(f->services->payments.pay({"alice", r1.id, "k"}));
  ASSERT_TRUE(f->services->reservations.cancel("bob", r2.id));
  EXPECT_GT(f->relay->tick(), 0);
  EXPECT_EQ(f->relay->tick(), 0);  // nothing is published twice
  auto events = f->sink.events();
  std::vector<std::string> types;
  for (const auto& e : events) types.push_back(e.event.event_type);
  EXPECT_EQ(types, (std::vector<std::string>{"ReservationHeld", "ReservationHeld", "PaymentRequested",
                                             "ReservationPaid", "PaymentApproved", "ReservationCancelled"}));
  for (std::size_t i = 1; i < events.size(); ++i) EXPECT_LT(events[i - 1].id, events[i].id);
  expect_invariants({s.id});
}

}  // namespace
}  // namespace concert::testing
