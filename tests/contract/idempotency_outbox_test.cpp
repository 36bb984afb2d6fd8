// Idempotency-Key records and the outbox relay (SPEC §4 idempotency, I3, I4).
#include "contract_fixture.hpp"

namespace concert::testing {
namespace {

using domain::ErrorCode;

class IdempotencyAndOutbox : public ContractTest {
 protected:
  // The key's records, each step in a transaction of its own.
  app::Claim claim(const app::IdempotencyScope& k, const std::string& request_hash) {
    return app::in_transaction(*f->store, ports::TxMode::Write,
                               [&](ports::Tx& tx) { return f->services->idempotency.claim(tx, k, request_hash); });
  }
  void settle(const app::IdempotencyScope& k, int status, const std::string& body, bool final = true) {
    app::in_transaction(*f->store, ports::TxMode::Write, [&](ports::Tx& tx) -> domain::Result<void> {
      f->services->idempotency.settle(tx, k, {status, body}, final);
      return {};
    });
  }
};
CONCERT_CONTRACT_SUITE(IdempotencyAndOutbox);

TEST_P(IdempotencyAndOutbox, StoresReplaysAndRejectsReuse) {
  app::IdempotencyScope k{"alice", "payments", "key-1"};
  auto first = claim(k, "body-a");
  ASSERT_TRUE(first);
  EXPECT_FALSE(*first);
  EXPECT_EQ(claim(k, "body-a").error().code, ErrorCode::KeyInFlight);
  settle(k, 201, "{\"ok\":true}");
  auto replay = claim(k, "body-a");
  ASSERT_TRUE(replay && *replay);
  EXPECT_EQ((*replay)->status, 201);
  EXPECT_EQ((*replay)->body, "{\"ok\":true}");
  EXPECT_EQ(claim(k, "body-b").error().code, ErrorCode::KeyReused);
  // Keys are per user and per operation.
  EXPECT_FALSE(*claim({"bob", "payments", "key-1"}, "body-b"));
  EXPECT_FALSE(*claim({"alice", "refunds", "key-1"}, "body-b"));
}

// What a key keeps is decided by the outcome's code, whatever status it renders
// as: conflicts that may clear and unavailable dependencies free the key for a
// retry; a decline is the key's answer from then on.
TEST_P(IdempotencyAndOutbox, RetryableOutcomesFreeTheKeyAndFinalOnesAreStored) {
  const auto outcome_under_key = [&](const std::string& name, ErrorCode code) {
    app::Keyed<int> key(f->services->idempotency, {"alice", "payments", name}, "b", [](const domain::Result<int>&) {
      return app::StoredResponse{200, "{}"};
    });
    app::in_transaction(*f->store, ports::TxMode::Write, [&](ports::Tx& tx) -> domain::Result<void> {
      EXPECT_TRUE(key.claim(tx));
      key.settle(tx, domain::Result<int>(domain::fail(code, "")));
      return {};
    });
    return claim({"alice", "payments", name}, app::request_hash_of("b"));
  };
  for (const auto code : {ErrorCode::KeyInFlight, ErrorCode::PaymentInProgress, ErrorCode::SeatTaken,
                          ErrorCode::InvalidState, ErrorCode::Unavailable, ErrorCode::GatewayUnavailable}) {
    const auto again = outcome_under_key("key-" + std::to_string(static_cast<int>(code)), code);
    ASSERT_TRUE(again);
    EXPECT_FALSE(*again) << static_cast<int>(code);  // freed: the retry runs the request again
  }
  const auto declined = outcome_under_key("declined", ErrorCode::PaymentDeclined);
  ASSERT_TRUE(declined && *declined);
  EXPECT_EQ((*declined)->status, 200);  // the stored answer, replayed
}

TEST_P(IdempotencyAndOutbox, AStaleInFlightKeyIsTakenOver) {
  app::IdempotencyScope k{"alice", "payments", "crashed"};
  ASSERT_TRUE(claim(k, "b"));
  f->clock.advance(std::chrono::seconds(61));
  auto taken = claim(k, "b");
  ASSERT_TRUE(taken);
  EXPECT_FALSE(*taken);
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
