// Idempotency-Keys through the use cases (SPEC §2a, §4, I3): the key is claimed and
// its answer stored inside the use case's own transactions, and a retry gets the
// first answer whatever happened since.
#include <thread>
#include <utility>

#include "adapters/http/problem.hpp"
#include "app/workers.hpp"
#include "contract_fixture.hpp"
#include "support/counting_store.hpp"
#include "support/ledger_lines.hpp"

namespace concert::testing {
namespace {

using domain::ErrorCode;

domain::Id id_of(const domain::Reservation& r) { return r.id; }
domain::Id id_of(const app::PaymentView& v) { return v.payment.id; }

// The answer as the HTTP layer would store it: the status, and the id or the error.
template <typename T>
app::StoredResponse response_of(const domain::Result<T>& r) {
  if (!r) return {http::status_of(r.error().code), r.error().detail};
  return {201, std::to_string(id_of(*r))};
}

class KeyedRequests : public ContractTest {
 protected:
  void SetUp() override {
    ContractTest::SetUp();
    if (!f) return;  // skipped or failed: no backend
    counting = std::make_unique<CountingStore>(*f->store);
    ctx = std::make_unique<app::AppContext>(app::AppContext{*counting, *f->queue, *f->seat_maps, *f->seat_locks,
                                                            *f->gateway, f->clock, f->ctx->settings, f->kpis});
    services = std::make_unique<app::Services>(*ctx);
  }

  app::KeyedAnswer<domain::Reservation> hold(const app::HoldRequest& request) {
    std::string body;
    for (auto id : request.seat_ids) body += std::to_string(id) + ",";
    app::Keyed<domain::Reservation> key(services->idempotency, {request.user, "reservations", request.idempotency_key},
                                        body, response_of<domain::Reservation>);
    return key.answer(services->reservations.hold(request, &key));
  }

  app::KeyedAnswer<app::PaymentView> pay(const app::PayRequest& request) {
    app::Keyed<app::PaymentView> key(services->idempotency, {request.user, "payments", request.idempotency_key},
                                     std::to_string(request.reservation_id), response_of<app::PaymentView>);
    return key.answer(services->payments.pay(request, &key));
  }

  // The fingerprint is the HTTP layer's (method, path, body): one key on two
  // payments' refunds is one key with two requests.
  app::KeyedAnswer<app::PaymentView> refund(const domain::UserId& user, domain::Id payment_id, const std::string& key) {
    app::Keyed<app::PaymentView> keyed(services->idempotency, {user, "refunds", key},
                                       "POST /api/v1/payments/" + std::to_string(payment_id) + "/refund\n",
                                       response_of<app::PaymentView>);
    return keyed.answer(services->payments.refund(user, payment_id, &keyed));
  }

  // An APPROVED payment of `user` for a new hold of one seat.
  app::PaymentView paid(const domain::UserId& user, domain::Id schedule_id, domain::Id seat_id) {
    auto r = f->hold(user, schedule_id, {seat_id});
    auto p = pay({user, r.id, "pay-" + std::to_string(r.id)});
    EXPECT_TRUE(p.result) << p.result.error().detail;
    return *p.result;
  }

  domain::PaymentStatus status_of(domain::Id payment_id) {
    return f->store->begin(ports::TxMode::Read)->find_payment(payment_id)->status;
  }

  // Refunds the gateway's ledger recorded under this payment's refund key.
  int ledger_refunds(domain::Id payment_id) {
    return ledger_lines(f->ledger_path(), "refund", "refund-" + std::to_string(payment_id));
  }

  std::vector<domain::Id> seats(domain::Id schedule_id, int n) {
    auto all = f->store->begin(ports::TxMode::Read)->list_seats(schedule_id);
    std::vector<domain::Id> ids;
    for (int i = 0; i < n; ++i) ids.push_back(all.at(static_cast<std::size_t>(i)).id);
    return ids;
  }

  std::unique_ptr<CountingStore> counting;
  std::unique_ptr<app::AppContext> ctx;
  std::unique_ptr<app::Services> services;
};
CONCERT_CONTRACT_SUITE(KeyedRequests);

TEST_P(KeyedRequests, AHoldIsOneTransactionAndAPaymentTwo) {
  auto s = f->make_schedule(10);
  auto ids = seats(s.id, 2);
  auto token = f->admit("alice", s.id);
  counting->writes = 0;
  auto held = hold({"alice", s.id, ids, token, "h1"});
  ASSERT_TRUE(held.result) << held.result.error().detail;
  EXPECT_FALSE(held.replay);
  EXPECT_EQ(counting->writes.load(), 1);

  counting->writes = 0;
  auto paid = pay({"alice", held.result->id, "p1"});
  ASSERT_TRUE(paid.result) << paid.result.error().detail;
  EXPECT_FALSE(paid.replay);
  EXPECT_EQ(counting->writes.load(), 2);  // PENDING before the gateway, the outcome after it

  // Both answers were stored with them: the same keys replay them, without a new hold or charge.
  auto again = pay({"alice", held.result->id, "p1"});
  ASSERT_TRUE(again.replay);
  EXPECT_EQ(again.replay->status, 201);
  EXPECT_EQ(again.replay->body, std::to_string(paid.result->payment.id));
  expect_invariants({s.id});
}

TEST_P(KeyedRequests, ARetriedHoldGetsItsAnswerAfterItsTokenWasUsed) {
  auto s = f->make_schedule(10);
  auto ids = seats(s.id, 1);
  auto token = f->admit("alice", s.id);
  auto held = hold({"alice", s.id, ids, token, "h1"});
  ASSERT_TRUE(held.result);
  ASSERT_TRUE(pay({"alice", held.result->id, "p1"}).result);  // marks the token USED
  // The hold itself would now be refused (403): the stored 201 is the answer.
  auto retried = hold({"alice", s.id, ids, token, "h1"});
  ASSERT_TRUE(retried.replay);
  EXPECT_EQ(retried.replay->status, 201);
  EXPECT_EQ(retried.replay->body, std::to_string(held.result->id));
  EXPECT_EQ(f->store->begin(ports::TxMode::Read)->list_reservations(s.id).size(), 1U);
}

TEST_P(KeyedRequests, ConcurrentDuplicateHoldsHoldOnceAndAllGetTheFirstAnswer) {
  auto s = f->make_schedule(10);
  auto ids = seats(s.id, 2);
  auto token = f->admit("alice", s.id);
  constexpr int kClicks = 8;
  std::vector<app::KeyedAnswer<domain::Reservation>> answers(kClicks,
                                                             {std::nullopt, domain::fail(ErrorCode::Unavailable, "")});
  std::vector<std::thread> clicks;
  for (int i = 0; i < kClicks; ++i) {
    clicks.emplace_back([&, i] { answers[static_cast<std::size_t>(i)] = hold({"alice", s.id, ids, token, "same"}); });
  }
  for (auto& t : clicks) t.join();
  auto reservations = f->store->begin(ports::TxMode::Read)->list_reservations(s.id);
  ASSERT_EQ(reservations.size(), 1U);
  const auto expected = std::to_string(reservations[0].id);
  int fresh = 0;
  for (const auto& a : answers) {
    const auto response = a.replay ? *a.replay : response_of(a.result);
    EXPECT_EQ(response.status, 201) << response.body;
    EXPECT_EQ(response.body, expected);
    fresh += !a.replay;
  }
  EXPECT_EQ(fresh, 1);
  expect_invariants({s.id});
}

TEST_P(KeyedRequests, RefusalsAreStoredUnlessTheClientMayRetryThem) {
  auto s = f->make_schedule(10);
  auto ids = seats(s.id, 2);
  auto alice = f->admit("alice", s.id);

  // 422: stored, and replayed even once the request would now succeed.
  auto bad = hold({"alice", s.id, {ids[0], 999'999}, alice, "bad"});
  EXPECT_EQ(bad.result.error().code, ErrorCode::BadSeats);
  auto bad_again = hold({"alice", s.id, {ids[0], 999'999}, alice, "bad"});
  ASSERT_TRUE(bad_again.replay);
  EXPECT_EQ(bad_again.replay->status, 422);

  // 409 seat taken: not stored, so the same key succeeds once the seat is free.
  auto bob = f->hold("bob", s.id, {ids[1]});
  auto taken = hold({"alice", s.id, {ids[1]}, alice, "retry-me"});
  EXPECT_FALSE(taken.replay);
  EXPECT_EQ(taken.result.error().code, ErrorCode::SeatTaken);
  ASSERT_TRUE(f->services->reservations.cancel("bob", bob.id));
  auto retried = hold({"alice", s.id, {ids[1]}, alice, "retry-me"});
  EXPECT_FALSE(retried.replay);
  ASSERT_TRUE(retried.result) << retried.result.error().detail;

  // The same key with another body is refused, and nothing is held for it.
  auto reused = hold({"alice", s.id, {ids[0]}, alice, "retry-me"});
  EXPECT_EQ(reused.result.error().code, ErrorCode::KeyReused);
  EXPECT_EQ(f->store->begin(ports::TxMode::Read)->list_reservations(s.id).size(), 2U);
}

TEST_P(KeyedRequests, AGatewayTimeoutFreesTheKeyAndTheRetryResumesThePayment) {
  auto s = f->make_schedule(10);
  auto r = f->hold("alice", s.id, seats(s.id, 1));
  f->gateway->unknown_outcomes_left = 1;
  auto lost = pay({"alice", r.id, "p"});
  EXPECT_FALSE(lost.replay);
  EXPECT_EQ(lost.result.error().code, ErrorCode::GatewayUnavailable);
  auto resumed = pay({"alice", r.id, "p"});
  EXPECT_FALSE(resumed.replay);
  ASSERT_TRUE(resumed.result) << resumed.result.error().detail;
  EXPECT_TRUE(pay({"alice", r.id, "p"}).replay);
  expect_invariants({s.id});
}

TEST_P(KeyedRequests, ADuplicateWhileThePaymentIsAtTheGatewayIsTurnedAway) {
  auto s = f->make_schedule(10);
  auto r = f->hold("alice", s.id, seats(s.id, 1));
  std::optional<app::KeyedAnswer<app::PaymentView>> duplicate;
  f->gateway->before_charge = [&] {
    if (!duplicate) duplicate = pay({"alice", r.id, "p"});  // the first request is at the gateway
  };
  auto first = pay({"alice", r.id, "p"});
  ASSERT_TRUE(first.result) << first.result.error().detail;
  ASSERT_TRUE(duplicate);
  EXPECT_FALSE(duplicate->replay);
  EXPECT_EQ(duplicate->result.error().code, ErrorCode::KeyInFlight);
  auto later = pay({"alice", r.id, "p"});
  ASSERT_TRUE(later.replay);
  EXPECT_EQ(later.replay->body, std::to_string(first.result->payment.id));
  expect_invariants({s.id});
}

// SPEC §4b: any sub of 1..128 bytes of UTF-8 is a user, and two different subs
// are two users on every adapter set. Subs that differ only in case, in a
// trailing space or after a '|' (Auth0's "auth0|abc") get admitted by the queue,
// hold under the same Idempotency-Key without seeing each other's stored answer,
// and have a seat limit each.
TEST_P(KeyedRequests, SubsThatDifferInAnyByteAreDifferentUsers) {
  std::string long_sub;
  while (long_sub.size() < 128) long_sub += "\xF0\x9F\x8E\xAB";  // U+1F3AB, 4 bytes
  const std::vector<std::string> subs{"auth0|abc",       "auth0|ABC",        "auth0", "a", "A", "a ", "a|x",
                                      "caf\xC3\xA9 fan", "cafe\xCC\x81 fan", long_sub};
  ASSERT_EQ(long_sub.size(), 128u);
  auto s = f->make_schedule(20, {}, /*max_seats_per_user=*/1);
  const auto ids = seats(s.id, static_cast<int>(subs.size()) + 1);
  std::vector<domain::Id> reservation_of;
  for (std::size_t i = 0; i < subs.size(); ++i) {
    SCOPED_TRACE("sub #" + std::to_string(i));
    const auto token = f->admit(subs[i], s.id);  // fails the test if the queue never admits the sub
    auto held = hold({subs[i], s.id, {ids[i]}, token, "the-same-key"});
    ASSERT_FALSE(held.replay) << held.replay->status << " " << held.replay->body;  // not another sub's answer
    ASSERT_TRUE(held.result) << held.result.error().detail;
    EXPECT_EQ(held.result->user_id, subs[i]);
    reservation_of.push_back(held.result->id);
    // The limit of 1 is this sub's own: a second seat is refused to it alone.
    auto second = hold({subs[i], s.id, {ids[subs.size()]}, token, "second-" + std::to_string(i)});
    ASSERT_FALSE(second.result);
    EXPECT_EQ(second.result.error().code, ErrorCode::SeatLimitReached);
  }
  for (std::size_t i = 0; i < subs.size(); ++i) {
    SCOPED_TRACE("sub #" + std::to_string(i));
    auto again = hold({subs[i], s.id, {ids[i]}, "unused", "the-same-key"});
    ASSERT_TRUE(again.replay);
    EXPECT_EQ(again.replay->body, std::to_string(reservation_of[i]));
    auto mine = f->services->reservations.get(subs[i], reservation_of[i]);
    ASSERT_TRUE(mine) << mine.error().detail;
    const auto other = (i + 1) % subs.size();
    EXPECT_FALSE(f->services->reservations.get(subs[other], reservation_of[i]));  // nobody else's to read
  }
  expect_invariants({s.id});
}

// Idempotency-Keys are compared byte for byte too: keys that differ only in case
// name two requests, not one reused with another body.
TEST_P(KeyedRequests, KeysThatDifferOnlyInCaseAreDifferentKeys) {
  auto s = f->make_schedule(10);
  const auto ids = seats(s.id, 2);
  const auto token = f->admit("alice", s.id);
  auto first = hold({"alice", s.id, {ids[0]}, token, "H-abc"});
  ASSERT_TRUE(first.result) << first.result.error().detail;
  auto second = hold({"alice", s.id, {ids[1]}, token, "h-ABC"});
  ASSERT_FALSE(second.replay) << second.replay->body;
  ASSERT_TRUE(second.result) << second.result.error().detail;
  EXPECT_NE(second.result->id, first.result->id);
  EXPECT_EQ(f->store->begin(ports::TxMode::Read)->list_reservations(s.id).size(), 2U);
}

// The key is claimed before the gateway is called: a key that refunded one
// payment, sent again for another, is refused and nothing is refunded for it
// (money back for a ticket that stays sold, before the two-phase refund).
TEST_P(KeyedRequests, AKeyThatRefundedOnePaymentRefundsNoOther) {
  auto s = f->make_schedule(10);
  const auto ids = seats(s.id, 2);
  const auto p1 = paid("alice", s.id, ids[0]);
  const auto p2 = paid("alice", s.id, ids[1]);
  auto first = refund("alice", p1.payment.id, "K");
  ASSERT_TRUE(first.result) << first.result.error().detail;
  auto reused = refund("alice", p2.payment.id, "K");
  EXPECT_FALSE(reused.replay);
  ASSERT_FALSE(reused.result);
  EXPECT_EQ(reused.result.error().code, ErrorCode::KeyReused);
  EXPECT_EQ(f->gateway->refund_calls.load(), 1);
  EXPECT_EQ(ledger_refunds(p2.payment.id), 0);
  EXPECT_EQ(status_of(p2.payment.id), domain::PaymentStatus::Approved);
  EXPECT_EQ(seat(s.id, ids[1]).status, domain::SeatStatus::Sold);
  expect_invariants({s.id});
}

// The gateway refunded but its answer was lost: the payment stays REFUND_PENDING
// (its seat still sold, I2 and I3 holding), and the retry finishes it with no
// second refund at the gateway.
TEST_P(KeyedRequests, ARefundWhoseAnswerWasLostIsFinishedByTheRetry) {
  auto s = f->make_schedule(10);
  const auto p = paid("alice", s.id, seats(s.id, 1)[0]);
  f->gateway->lost_refund_answers_left = 1;
  auto lost = refund("alice", p.payment.id, "K");
  ASSERT_FALSE(lost.result);
  EXPECT_EQ(lost.result.error().code, ErrorCode::GatewayUnavailable);
  EXPECT_EQ(status_of(p.payment.id), domain::PaymentStatus::RefundPending);
  EXPECT_EQ(ledger_refunds(p.payment.id), 1);
  expect_invariants({s.id});

  auto retried = refund("alice", p.payment.id, "K");
  EXPECT_FALSE(retried.replay);
  ASSERT_TRUE(retried.result) << retried.result.error().detail;
  EXPECT_EQ(retried.result->payment.status, domain::PaymentStatus::Refunded);
  EXPECT_EQ(retried.result->reservation.status, domain::ReservationStatus::Refunded);
  EXPECT_EQ(ledger_refunds(p.payment.id), 1);
  EXPECT_TRUE(refund("alice", p.payment.id, "K").replay);
  expect_invariants({s.id});
}

// While a refund is at the gateway, its key is in flight (409); a refund of the
// same payment under another key resumes it, and the gateway refunds once.
TEST_P(KeyedRequests, RefundsOfOnePaymentAtOnceRefundItOnce) {
  auto s = f->make_schedule(10);
  const auto p = paid("alice", s.id, seats(s.id, 1)[0]);
  std::optional<app::KeyedAnswer<app::PaymentView>> same_key, other_key;
  f->gateway->before_refund = [&] {
    if (same_key) return;  // the first refund only
    same_key = refund("alice", p.payment.id, "K");
    other_key = refund("alice", p.payment.id, "K2");
  };
  auto first = refund("alice", p.payment.id, "K");
  ASSERT_TRUE(first.result) << first.result.error().detail;
  EXPECT_EQ(first.result->payment.status, domain::PaymentStatus::Refunded);
  ASSERT_TRUE(same_key && other_key);
  ASSERT_FALSE(same_key->result);
  EXPECT_EQ(same_key->result.error().code, ErrorCode::KeyInFlight);
  ASSERT_TRUE(other_key->result) << other_key->result.error().detail;
  EXPECT_EQ(other_key->result->payment.status, domain::PaymentStatus::Refunded);
  EXPECT_EQ(ledger_refunds(p.payment.id), 1);
  expect_invariants({s.id});
}

// SPEC §4 and issue 12: instance A claims a payment's key, has it charged, and
// dies (kill -9) before settling. While A's heartbeat is fresh a retry on
// instance B gets 409; once it is older than owner_dead_after (seconds, not the
// 60 s staleness of a key with no known owner), B takes the key over and
// resumes the same PENDING payment: the gateway answers its key with the first
// charge, so it is APPROVED with one charge.
TEST_P(KeyedRequests, AKeyWhoseOwnerDiedIsTakenOverWithinSecondsAndChargedOnce) {
  auto s = f->make_schedule(10);
  auto r = f->hold("alice", s.id, seats(s.id, 1));
  auto settings_a = ctx->settings;
  settings_a.instance_id = "instance-a";
  app::AppContext ctx_a{*f->store,   *f->queue, *f->seat_maps, *f->seat_locks,
                        *f->gateway, f->clock,  settings_a,    f->kpis};
  app::Services services_a(ctx_a);
  app::InstanceHeartbeat beat_a(ctx_a);
  beat_a.tick();
  struct Died : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  f->gateway->after_charge = [](const ports::ChargeRequest&, const ports::GatewayResult&) {
    throw Died("instance A is killed after the charge, before it settles");
  };
  app::Keyed<app::PaymentView> key_a(services_a.idempotency, {"alice", "payments", "k"}, std::to_string(r.id),
                                     response_of<app::PaymentView>);
  EXPECT_THROW(services_a.payments.pay({"alice", r.id, "k"}, &key_a), Died);
  f->gateway->after_charge = nullptr;
  ASSERT_EQ(ledger_lines(f->ledger_path(), "charge"), 1);

  f->clock.advance(std::chrono::seconds(2));
  beat_a.tick();  // A is alive (as far as anyone can tell) until its beats stop
  f->clock.advance(ctx->settings.owner_dead_after - std::chrono::milliseconds(1));
  auto while_alive = pay({"alice", r.id, "k"});
  ASSERT_FALSE(while_alive.result);
  EXPECT_EQ(while_alive.result.error().code, ErrorCode::KeyInFlight);

  f->clock.advance(std::chrono::milliseconds(1));  // A's last beat is owner_dead_after old
  auto taken_over = pay({"alice", r.id, "k"});
  ASSERT_TRUE(taken_over.result) << taken_over.result.error().detail;
  EXPECT_EQ(taken_over.result->payment.status, domain::PaymentStatus::Approved);
  EXPECT_EQ(ledger_lines(f->ledger_path(), "charge"), 1);
  auto replay = pay({"alice", r.id, "k"});
  ASSERT_TRUE(replay.replay);
  EXPECT_EQ(replay.replay->status, 201);
  expect_invariants({s.id});
}

// Nobody retries: the reconciler finishes a REFUND_PENDING payment once it has
// been left alone for reconcile_after, whether the gateway refunded it (its
// answer lost) or never heard of it, and the gateway refunds each once.
TEST_P(KeyedRequests, TheReconcilerFinishesRefundsNobodyRetried) {
  auto s = f->make_schedule(10);
  const auto ids = seats(s.id, 2);
  const auto answer_lost = paid("alice", s.id, ids[0]);
  const auto never_sent = paid("alice", s.id, ids[1]);
  f->gateway->lost_refund_answers_left = 1;
  EXPECT_FALSE(refund("alice", answer_lost.payment.id, "K1").result);
  f->gateway->unreachable_refunds_left = 1;
  EXPECT_FALSE(refund("alice", never_sent.payment.id, "K2").result);
  EXPECT_EQ(ledger_refunds(answer_lost.payment.id), 1);
  EXPECT_EQ(ledger_refunds(never_sent.payment.id), 0);

  app::PaymentReconciler reconciler(*ctx, services->payments);
  EXPECT_EQ(reconciler.tick(), 0);  // too recent: their requests may still be at work
  f->clock.advance(ctx->settings.reconcile_after + std::chrono::seconds(1));
  EXPECT_EQ(reconciler.tick(), 2);
  for (const auto& p : {answer_lost, never_sent}) {
    EXPECT_EQ(status_of(p.payment.id), domain::PaymentStatus::Refunded);
    EXPECT_EQ(ledger_refunds(p.payment.id), 1);
    EXPECT_EQ(seat(s.id, p.reservation.seat_ids[0]).status, domain::SeatStatus::Available);
  }
  EXPECT_EQ(reconciler.tick(), 0);
  EXPECT_EQ(f->kpis.reconciled(domain::PaymentStatus::Refunded).value(), 2);
  expect_invariants({s.id});
}

// A late approval that cannot be honoured is refunded in two phases too: it is
// VOID_PENDING, with the client's 410, before the gateway is asked for the money
// back; when the gateway does not confirm, it stays so (the money still with
// us, I3 holding) until the reconciler gets the refund confirmed, once.
TEST_P(KeyedRequests, AnUnconfirmedVoidOfALateApprovalIsFinishedByTheReconciler) {
  auto s = f->make_schedule(10);
  const auto ids = seats(s.id, 2);
  auto r = f->hold("alice", s.id, ids);
  bool fired = false;
  f->gateway->before_charge = [&] {
    if (std::exchange(fired, true)) return;
    f->clock.advance(ctx->settings.hold_ttl + std::chrono::seconds(1));
    f->sweeper->tick();
    f->hold("bob", s.id, {ids[1]});  // bob takes one of alice's released seats
  };
  f->gateway->unreachable_refunds_left = 1;
  auto late = pay({"alice", r.id, "p"});
  ASSERT_FALSE(late.result);
  EXPECT_EQ(late.result.error().code, ErrorCode::HoldExpired);
  const auto payment = f->store->begin(ports::TxMode::Read)->list_payments_for(r.id).at(0);
  EXPECT_EQ(payment.status, domain::PaymentStatus::VoidPending);
  EXPECT_EQ(ledger_refunds(payment.id), 0);
  auto replay = pay({"alice", r.id, "p"});
  ASSERT_TRUE(replay.replay);
  EXPECT_EQ(replay.replay->status, 410);
  expect_invariants({s.id});

  app::PaymentReconciler reconciler(*ctx, services->payments);
  f->clock.advance(ctx->settings.reconcile_after + std::chrono::seconds(1));
  EXPECT_EQ(reconciler.tick(), 1);
  EXPECT_EQ(status_of(payment.id), domain::PaymentStatus::Voided);
  EXPECT_EQ(ledger_refunds(payment.id), 1);
  EXPECT_EQ(reconciler.tick(), 0);
  expect_invariants({s.id});
}

}  // namespace
}  // namespace concert::testing
