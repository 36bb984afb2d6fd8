// Checkout, declines, late approvals, refunds and gateway timeouts (SPEC §3, §4, I2, I3, I6).
#include <fstream>
#include <thread>
#include <utility>

#include "contract_fixture.hpp"
#include "support/ledger_lines.hpp"

namespace concert::testing {
namespace {

using domain::ErrorCode;
using domain::PaymentStatus;
using domain::ReservationStatus;
using domain::SeatStatus;

class Payments : public ContractTest {
 protected:
  std::vector<domain::Id> seats(domain::Id schedule_id, int from, int n) {
    auto all = f->store->begin(ports::TxMode::Read)->list_seats(schedule_id);
    std::vector<domain::Id> ids;
    for (int i = from; i < from + n; ++i) ids.push_back(all.at(static_cast<std::size_t>(i)).id);
    return ids;
  }
  int ledger_lines(const std::string& kind) { return testing::ledger_lines(f->ledger_path(), kind); }
  int ledger_charges() { return ledger_lines("charge"); }
  domain::Payment only_payment_of(domain::Id reservation_id) {
    auto payments = f->store->begin(ports::TxMode::Read)->list_payments_for(reservation_id);
    EXPECT_EQ(payments.size(), 1u);
    return payments.at(0);
  }
  // What the gateway reports for a charge it made: the sandbox answers a key
  // again with its first result, and charges nothing new.
  app::GatewayReport report_of(const domain::Payment& p, bool approved = true) {
    const auto charged = f->gateway->charge({"pay-" + std::to_string(p.id), p.amount, p.user_id, p.reservation_id});
    return {p.id, charged.gateway_tx_id, approved, p.amount, approved ? "" : "card declined"};
  }
};
CONCERT_CONTRACT_SUITE(Payments);

TEST_P(Payments, PayingSellsTheSeatsAndFreesTheQueueSlot) {
  auto s = f->make_schedule(20);
  auto ids = seats(s.id, 0, 2);
  auto r = f->hold("alice", s.id, ids);
  EXPECT_EQ(f->queue->counts(s.id).active, 1);
  auto paid = f->services->payments.pay({"alice", r.id, "pay-1"});
  ASSERT_TRUE(paid) << paid.error().detail;
  EXPECT_EQ(paid->payment.status, PaymentStatus::Approved);
  EXPECT_EQ(paid->payment.amount, r.amount);
  EXPECT_EQ(paid->reservation.status, ReservationStatus::Paid);
  EXPECT_EQ(seat(s.id, ids[0]).status, SeatStatus::Sold);
  EXPECT_EQ(f->queue->counts(s.id).active, 0);  // paying frees the slot at once
  expect_invariants({s.id});
}

TEST_P(Payments, SameKeyAgainChargesNothingNew) {
  auto s = f->make_schedule(20);
  auto r = f->hold("alice", s.id, seats(s.id, 0, 1));
  auto first = f->services->payments.pay({"alice", r.id, "k"});
  auto again = f->services->payments.pay({"alice", r.id, "k"});
  ASSERT_TRUE(first && again);
  EXPECT_EQ(first->payment.id, again->payment.id);
  EXPECT_EQ(ledger_charges(), 1);
  // Another key for a paid reservation is refused without charging.
  EXPECT_EQ(f->services->payments.pay({"alice", r.id, "k2"}).error().code, ErrorCode::InvalidState);
  EXPECT_EQ(ledger_charges(), 1);
  expect_invariants({s.id});
}

// The payments table's own UNIQUE (user, key) answers when no idempotency record
// does (here: none is kept; in production: purged after 24 h).
TEST_P(Payments, AKeyThatPaidOneReservationCannotPayAnother) {
  auto s = f->make_schedule(20);
  auto first = f->hold("alice", s.id, seats(s.id, 0, 1));
  auto second = f->hold("alice", s.id, seats(s.id, 1, 1));
  ASSERT_TRUE(f->services->payments.pay({"alice", first.id, "k"}));
  EXPECT_EQ(f->services->payments.pay({"alice", second.id, "k"}).error().code, ErrorCode::KeyReused);
  EXPECT_TRUE(f->store->begin(ports::TxMode::Read)->list_payments_for(second.id).empty());
  EXPECT_EQ(f->services->reservations.get("alice", second.id)->status, ReservationStatus::Held);
  EXPECT_EQ(ledger_charges(), 1);
  expect_invariants({s.id});
}

TEST_P(Payments, DeclinedPaymentKeepsTheHoldAndCanBeRetriedWithANewKey) {
  auto s = f->make_schedule(20, {}, 4, 2'000'000);  // above the sandbox's decline limit
  auto r = f->hold("alice", s.id, seats(s.id, 0, 1));
  auto declined = f->services->payments.pay({"alice", r.id, "k1"});
  EXPECT_EQ(declined.error().code, ErrorCode::PaymentDeclined);
  EXPECT_EQ(f->services->reservations.get("alice", r.id)->status, ReservationStatus::Held);
  // The claim was released: a new attempt reaches the gateway (and is declined again).
  EXPECT_EQ(f->services->payments.pay({"alice", r.id, "k2"}).error().code, ErrorCode::PaymentDeclined);
  EXPECT_EQ(ledger_charges(), 2);
  expect_invariants({s.id});
}

TEST_P(Payments, PayingAnExpiredHoldIsGoneAndChargesNothing) {
  auto s = f->make_schedule(20);
  auto r = f->hold("alice", s.id, seats(s.id, 0, 1));
  f->clock.advance(std::chrono::seconds(61));
  EXPECT_EQ(f->services->payments.pay({"alice", r.id, "k"}).error().code, ErrorCode::HoldExpired);  // not yet swept
  f->sweeper->tick();
  EXPECT_EQ(f->services->payments.pay({"alice", r.id, "k3"}).error().code, ErrorCode::HoldExpired);
  EXPECT_EQ(ledger_charges(), 0);
  expect_invariants({s.id});
}

TEST_P(Payments, LateApprovalRetakesSeatsStillAvailable) {
  auto s = f->make_schedule(20);
  auto ids = seats(s.id, 0, 2);
  auto r = f->hold("alice", s.id, ids);
  f->gateway->before_charge = [&] {  // the approval lands after the hold expired and was swept
    f->clock.advance(std::chrono::seconds(61));
    f->sweeper->tick();
  };
  auto paid = f->services->payments.pay({"alice", r.id, "k"});
  ASSERT_TRUE(paid) << paid.error().detail;
  EXPECT_EQ(paid->reservation.status, ReservationStatus::Paid);
  EXPECT_EQ(seat(s.id, ids[1]).status, SeatStatus::Sold);
  expect_invariants({s.id});
}

TEST_P(Payments, LateApprovalWhoseSeatWasTakenIsVoidedAndRefunded) {
  auto s = f->make_schedule(20);
  auto ids = seats(s.id, 0, 2);
  auto r = f->hold("alice", s.id, ids);
  bool fired = false;
  f->gateway->before_charge = [&] {
    if (std::exchange(fired, true)) return;
    f->clock.advance(std::chrono::seconds(61));
    f->sweeper->tick();
    f->hold("bob", s.id, {ids[1]});  // bob takes one of alice's released seats
  };
  auto paid = f->services->payments.pay({"alice", r.id, "k"});
  EXPECT_EQ(paid.error().code, ErrorCode::HoldExpired);
  auto payments = f->store->begin(ports::TxMode::Read)->list_payments_for(r.id);
  ASSERT_EQ(payments.size(), 1u);
  EXPECT_EQ(payments[0].status, PaymentStatus::Voided);
  EXPECT_EQ(f->services->reservations.get("alice", r.id)->status, ReservationStatus::Expired);
  EXPECT_EQ(seat(s.id, ids[0]).status, SeatStatus::Available);  // the retake rolled back whole
  std::ifstream ledger(f->ledger_path());
  std::string text((std::istreambuf_iterator<char>(ledger)), {});
  EXPECT_NE(text.find("\"kind\":\"refund\""), std::string::npos);
  // A replay of the same key gives the same answer and charges nothing more.
  EXPECT_EQ(f->services->payments.pay({"alice", r.id, "k"}).error().code, ErrorCode::HoldExpired);
  EXPECT_EQ(ledger_charges(), 1);
  expect_invariants({s.id});
}

TEST_P(Payments, GatewayTimeoutThenRetryWithSameKeyChargesOnce) {
  auto s = f->make_schedule(20);
  auto r = f->hold("alice", s.id, seats(s.id, 0, 1));
  f->gateway->unknown_outcomes_left = 1;  // charged, but the answer is lost
  EXPECT_EQ(f->services->payments.pay({"alice", r.id, "k"}).error().code, ErrorCode::GatewayUnavailable);
  EXPECT_EQ(f->services->payments.pay({"alice", r.id, "other"}).error().code, ErrorCode::PaymentInProgress);
  auto retried = f->services->payments.pay({"alice", r.id, "k"});
  ASSERT_TRUE(retried) << retried.error().detail;
  EXPECT_EQ(retried->payment.status, PaymentStatus::Approved);
  EXPECT_EQ(ledger_charges(), 1);
  expect_invariants({s.id});
}

// Nobody retries a payment whose answer was lost: once it has been PENDING for
// reconcile_after, the reconciler asks the gateway by the charge key. Charged:
// APPROVED and PAID, with no new charge. Never taken: FAILED, the reservation's
// claim released so another key may pay it, and the first key's replay says so.
// A look-up that fails leaves it PENDING for the next tick.
TEST_P(Payments, TheReconcilerSettlesPendingPaymentsByLookingThemUp) {
  auto s = f->make_schedule(20);
  const auto charged = f->hold("alice", s.id, seats(s.id, 0, 1));
  const auto never_taken = f->hold("bob", s.id, seats(s.id, 1, 1));
  f->gateway->unknown_outcomes_left = 1;  // charged, its answer lost
  EXPECT_EQ(f->services->payments.pay({"alice", charged.id, "k"}).error().code, ErrorCode::GatewayUnavailable);
  f->gateway->charge_then_time_out = false;
  f->gateway->unknown_outcomes_left = 1;  // lost on the way: never charged
  EXPECT_EQ(f->services->payments.pay({"bob", never_taken.id, "k"}).error().code, ErrorCode::GatewayUnavailable);
  EXPECT_EQ(ledger_charges(), 1);

  app::PaymentReconciler reconciler(*f->ctx, f->services->payments);
  f->clock.advance(std::chrono::seconds(1));
  EXPECT_EQ(reconciler.tick(), 0);  // too recent: their requests may still be at the gateway
  EXPECT_EQ(f->gateway->lookup_calls.load(), 0);
  EXPECT_DOUBLE_EQ(f->kpis.oldest_unsettled_seconds.value(), 1.0);
  f->clock.advance(f->ctx->settings.reconcile_after);
  f->gateway->unreachable_lookups_left = 2;
  EXPECT_EQ(reconciler.tick(), 0);  // the gateway did not answer: both stay PENDING
  EXPECT_EQ(only_payment_of(charged.id).status, PaymentStatus::Pending);
  EXPECT_GE(f->kpis.oldest_unsettled_seconds.value(),
            std::chrono::duration<double>(f->ctx->settings.reconcile_after).count());

  EXPECT_EQ(reconciler.tick(), 2);
  EXPECT_EQ(only_payment_of(charged.id).status, PaymentStatus::Approved);
  EXPECT_EQ(f->store->begin(ports::TxMode::Read)->find_reservation(charged.id)->status, ReservationStatus::Paid);
  EXPECT_EQ(seat(s.id, charged.seat_ids[0]).status, SeatStatus::Sold);
  EXPECT_EQ(only_payment_of(never_taken.id).status, PaymentStatus::Failed);
  EXPECT_EQ(seat(s.id, never_taken.seat_ids[0]).status, SeatStatus::Held);
  EXPECT_EQ(ledger_charges(), 1);
  EXPECT_EQ(f->kpis.reconciled(PaymentStatus::Approved).value(), 1);
  EXPECT_EQ(f->kpis.reconciled(PaymentStatus::Failed).value(), 1);
  EXPECT_EQ(reconciler.tick(), 0);
  EXPECT_EQ(f->kpis.oldest_unsettled_seconds.value(), 0.0);

  // The failed payment's key answers as it ended; its hold may be paid under a new key, once.
  const auto replay = f->services->payments.pay({"bob", never_taken.id, "k"});
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().code, ErrorCode::PaymentDeclined);
  EXPECT_EQ(ledger_charges(), 1);
  auto paid = f->services->payments.pay({"bob", never_taken.id, "k2"});
  ASSERT_TRUE(paid) << paid.error().detail;
  EXPECT_EQ(paid->payment.status, PaymentStatus::Approved);
  EXPECT_EQ(ledger_charges(), 2);
  expect_invariants({s.id});
}

// The reconciler found no charge and gave the payment up (FAILED); then the
// charge landed after all (a retry under the same key raced the look-up; found
// by the nemesis run) and the gateway reported it: the money goes back, through
// VOID_PENDING to VOIDED, and the hold may still be paid under a new key.
TEST_P(Payments, AChargeThatLandsAfterThePaymentWasGivenUpIsRefunded) {
  auto s = f->make_schedule(20);
  const auto r = f->hold("bob", s.id, seats(s.id, 0, 1));
  f->gateway->charge_then_time_out = false;
  f->gateway->unknown_outcomes_left = 1;  // lost on the way: never charged
  EXPECT_EQ(f->services->payments.pay({"bob", r.id, "k"}).error().code, ErrorCode::GatewayUnavailable);
  app::PaymentReconciler reconciler(*f->ctx, f->services->payments);
  f->clock.advance(f->ctx->settings.reconcile_after + std::chrono::seconds(1));
  EXPECT_EQ(reconciler.tick(), 1);
  const auto failed = only_payment_of(r.id);
  ASSERT_EQ(failed.status, PaymentStatus::Failed);

  const auto report = report_of(failed);  // the charge lands now
  EXPECT_EQ(ledger_charges(), 1);
  const auto applied = f->services->payments.apply_gateway_report(report);
  ASSERT_TRUE(applied) << applied.error().detail;  // the report is taken: 200 to the gateway
  EXPECT_EQ(applied->payment.status, PaymentStatus::Voided);
  EXPECT_EQ(only_payment_of(r.id).status, PaymentStatus::Voided);
  EXPECT_EQ(ledger_lines("refund"), 1);
  EXPECT_EQ(seat(s.id, r.seat_ids[0]).status, SeatStatus::Held);
  const auto again = f->services->payments.apply_gateway_report(report);  // the gateway re-sends it
  ASSERT_TRUE(again);
  EXPECT_EQ(again->payment.version, applied->payment.version);
  EXPECT_EQ(ledger_lines("refund"), 1);

  auto paid = f->services->payments.pay({"bob", r.id, "k2"});
  ASSERT_TRUE(paid) << paid.error().detail;
  EXPECT_EQ(paid->payment.status, PaymentStatus::Approved);
  EXPECT_EQ(ledger_charges(), 2);
  expect_invariants({s.id});
}

TEST_P(Payments, ConcurrentPaymentsForOneReservationApproveExactlyOne) {
  auto s = f->make_schedule(20);
  auto r = f->hold("alice", s.id, seats(s.id, 0, 2));
  std::atomic<int> approved{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      auto p = f->services->payments.pay({"alice", r.id, "key-" + std::to_string(i % 8)});
      if (p) approved += p->payment.status == PaymentStatus::Approved;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_GE(approved.load(), 1);
  auto payments = f->store->begin(ports::TxMode::Read)->list_payments_for(r.id);
  EXPECT_EQ(std::count_if(payments.begin(), payments.end(),
                          [](const domain::Payment& p) { return p.status == PaymentStatus::Approved; }),
            1);
  EXPECT_EQ(ledger_charges(), 1);
  expect_invariants({s.id});
}

// POST /webhooks/pg: the gateway's own report settles a payment whose answer was
// lost; re-sent, it changes nothing; the fan's retry gets the outcome, uncharged.
TEST_P(Payments, AGatewayReportCompletesAPaymentWhoseAnswerWasLost) {
  auto s = f->make_schedule(20);
  auto ids = seats(s.id, 0, 2);
  auto r = f->hold("alice", s.id, ids);
  f->gateway->unknown_outcomes_left = 1;  // charged, but the answer is lost
  EXPECT_EQ(f->services->payments.pay({"alice", r.id, "k"}).error().code, ErrorCode::GatewayUnavailable);
  const auto pending = only_payment_of(r.id);
  ASSERT_EQ(pending.status, PaymentStatus::Pending);
  const auto report = report_of(pending);

  auto applied = f->services->payments.apply_gateway_report(report);
  ASSERT_TRUE(applied) << applied.error().detail;
  EXPECT_EQ(applied->payment.status, PaymentStatus::Approved);
  EXPECT_EQ(applied->payment.gateway_tx_id, report.gateway_tx_id);
  EXPECT_EQ(applied->reservation.status, ReservationStatus::Paid);
  EXPECT_EQ(seat(s.id, ids[1]).status, SeatStatus::Sold);

  auto again = f->services->payments.apply_gateway_report(report);  // the gateway re-sends it
  ASSERT_TRUE(again);
  EXPECT_EQ(again->payment.version, applied->payment.version);
  auto retried = f->services->payments.pay({"alice", r.id, "k"});  // the fan's retry, same key
  ASSERT_TRUE(retried) << retried.error().detail;
  EXPECT_EQ(retried->payment.id, pending.id);
  EXPECT_EQ(retried->payment.status, PaymentStatus::Approved);
  EXPECT_EQ(ledger_charges(), 1);
  expect_invariants({s.id});
}

TEST_P(Payments, AGatewayReportThatContradictsOrDoesNotMatchChangesNothing) {
  auto s = f->make_schedule(20);
  auto r = f->hold("alice", s.id, seats(s.id, 0, 1));
  const auto paid = f->services->payments.pay({"alice", r.id, "k"});
  ASSERT_TRUE(paid);
  auto report = report_of(paid->payment);
  report.approved = false;  // an approved payment reported declined
  EXPECT_EQ(f->services->payments.apply_gateway_report(report).error().code, ErrorCode::InvalidState);
  report = report_of(paid->payment);
  report.gateway_tx_id = "pg-another-tx";
  EXPECT_EQ(f->services->payments.apply_gateway_report(report).error().code, ErrorCode::InvalidState);
  report = report_of(paid->payment);
  report.amount += 1;
  EXPECT_EQ(f->services->payments.apply_gateway_report(report).error().code, ErrorCode::InvalidInput);
  report = report_of(paid->payment);
  report.payment_id += 1000;
  EXPECT_EQ(f->services->payments.apply_gateway_report(report).error().code, ErrorCode::NotFound);
  EXPECT_EQ(only_payment_of(r.id).version, paid->payment.version);
  EXPECT_EQ(ledger_charges(), 1);
  expect_invariants({s.id});
}

TEST_P(Payments, ADeclineReportReleasesTheClaimSoAnotherKeyMayPay) {
  auto s = f->make_schedule(20);
  auto r = f->hold("alice", s.id, seats(s.id, 0, 1));
  f->gateway->unknown_outcomes_left = 1;
  f->gateway->charge_then_time_out = false;  // the gateway declined; its answer was lost
  EXPECT_EQ(f->services->payments.pay({"alice", r.id, "k"}).error().code, ErrorCode::GatewayUnavailable);
  const auto pending = only_payment_of(r.id);
  const app::GatewayReport declined{pending.id, "pg-declined-1", false, pending.amount, "card declined"};
  auto applied = f->services->payments.apply_gateway_report(declined);
  ASSERT_TRUE(applied) << applied.error().detail;
  EXPECT_EQ(applied->payment.status, PaymentStatus::Declined);
  EXPECT_EQ(applied->reservation.status, ReservationStatus::Held);
  EXPECT_EQ(f->services->payments.pay({"alice", r.id, "k"}).error().code, ErrorCode::PaymentDeclined);
  auto other = f->services->payments.pay({"alice", r.id, "k2"});
  ASSERT_TRUE(other) << other.error().detail;
  EXPECT_EQ(other->payment.status, PaymentStatus::Approved);
  EXPECT_EQ(ledger_charges(), 1);
  expect_invariants({s.id});
}

// The report lands while the charge's own answer is on its way: whichever
// settles first wins, the other answers with its outcome; one approval, one charge.
TEST_P(Payments, AReportRacingTheChargesAnswerSettlesThePaymentOnce) {
  auto s = f->make_schedule(20);
  auto ids = seats(s.id, 0, 2);
  auto r = f->hold("alice", s.id, ids);
  domain::Result<app::PaymentView> by_report = domain::fail(ErrorCode::Unavailable, "not sent");
  f->gateway->after_charge = [&](const ports::ChargeRequest& request, const ports::GatewayResult& result) {
    const auto id = std::stoll(request.idempotency_key.substr(std::string("pay-").size()));
    by_report = f->services->payments.apply_gateway_report({id, result.gateway_tx_id, true, request.amount, ""});
  };
  auto paid = f->services->payments.pay({"alice", r.id, "k"});
  ASSERT_TRUE(by_report) << by_report.error().detail;
  ASSERT_TRUE(paid) << paid.error().detail;
  EXPECT_EQ(paid->payment.id, by_report->payment.id);
  EXPECT_EQ(paid->payment.status, PaymentStatus::Approved);
  EXPECT_EQ(only_payment_of(r.id).status, PaymentStatus::Approved);
  EXPECT_EQ(seat(s.id, ids[0]).status, SeatStatus::Sold);
  EXPECT_EQ(ledger_charges(), 1);
  expect_invariants({s.id});  // I4: one PaymentApproved, one ReservationPaid
}

TEST_P(Payments, ALateApprovalReportWhoseSeatWasTakenIsVoidedAndRefunded) {
  auto s = f->make_schedule(20);
  auto ids = seats(s.id, 0, 2);
  auto r = f->hold("alice", s.id, ids);
  f->gateway->unknown_outcomes_left = 1;
  EXPECT_EQ(f->services->payments.pay({"alice", r.id, "k"}).error().code, ErrorCode::GatewayUnavailable);
  const auto pending = only_payment_of(r.id);
  f->clock.advance(std::chrono::seconds(61));
  f->sweeper->tick();
  f->hold("bob", s.id, {ids[1]});  // bob takes one of alice's released seats
  auto applied = f->services->payments.apply_gateway_report(report_of(pending));
  ASSERT_TRUE(applied) << applied.error().detail;
  EXPECT_EQ(applied->payment.status, PaymentStatus::Voided);
  EXPECT_EQ(applied->reservation.status, ReservationStatus::Expired);
  EXPECT_EQ(ledger_lines("refund"), 1);
  EXPECT_EQ(f->services->payments.pay({"alice", r.id, "k"}).error().code, ErrorCode::HoldExpired);
  EXPECT_EQ(ledger_charges(), 1);
  expect_invariants({s.id});
}

// The queue store (Redis) goes away between the payment's commit and the freeing
// of the fan's queue slot: the payment still answers with its approval.
class QueueAwayAfterCommit final : public ports::QueueStore {
 public:
  explicit QueueAwayAfterCommit(ports::QueueStore& inner) : inner_(inner) {}
  ports::EnterResult enter(domain::Id s, const domain::UserId& u, domain::TimePoint now, bool pre) override {
    return inner_.enter(s, u, now, pre);
  }
  ports::PollAnswer try_poll(const std::string& t, const domain::UserId& u, domain::TimePoint now) override {
    return inner_.try_poll(t, u, now);
  }
  std::optional<domain::QueueToken> status(const std::string& t, const domain::UserId& u,
                                           domain::TimePoint now) override {
    return inner_.status(t, u, now);
  }
  bool leave(const std::string& t, const domain::UserId& u) override { return inner_.leave(t, u); }
  void mark_used(domain::Id, const domain::UserId&) override {
    throw ports::StoreUnavailable("the queue store is away");
  }
  void shuffle_pre_queue(domain::Id s, std::uint64_t seed) override { inner_.shuffle_pre_queue(s, seed); }
  std::vector<domain::QueueToken> promote(domain::Id s, int n, domain::TimePoint now, domain::Millis ttl) override {
    return inner_.promote(s, n, now, ttl);
  }
  int expire(domain::Id s, domain::TimePoint now, domain::Millis idle) override { return inner_.expire(s, now, idle); }
  ports::QueueCounts counts(domain::Id s) override { return inner_.counts(s); }
  int admitted_since(domain::Id s, domain::TimePoint since) override { return inner_.admitted_since(s, since); }
  std::vector<ports::Admission> admissions(domain::Id s, std::int64_t after, int limit) override {
    return inner_.admissions(s, after, limit);
  }

 private:
  ports::QueueStore& inner_;
};

TEST_P(Payments, AnApprovedPaymentAnswersEvenIfItsQueueSlotCannotBeFreed) {
  auto s = f->make_schedule(20);
  auto r = f->hold("alice", s.id, seats(s.id, 0, 1));
  QueueAwayAfterCommit queue(*f->queue);
  app::AppContext ctx{*f->store,   queue,    *f->seat_maps,    *f->seat_locks,
                      *f->gateway, f->clock, f->ctx->settings, f->kpis};
  app::Payments payments(ctx);
  auto paid = payments.pay({"alice", r.id, "k"});
  ASSERT_TRUE(paid) << paid.error().detail;
  EXPECT_EQ(paid->payment.status, PaymentStatus::Approved);
  EXPECT_EQ(only_payment_of(r.id).status, PaymentStatus::Approved);
  EXPECT_EQ(ledger_charges(), 1);
  expect_invariants({s.id});
}

TEST_P(Payments, RefundReleasesTheSeatsOnce) {
  auto s = f->make_schedule(20);
  auto ids = seats(s.id, 0, 1);
  auto r = f->hold("alice", s.id, ids);
  auto paid = f->services->payments.pay({"alice", r.id, "k"});
  ASSERT_TRUE(paid);
  EXPECT_EQ(f->services->payments.refund("bob", paid->payment.id).error().code, ErrorCode::NotFound);
  auto refunded = f->services->payments.refund("alice", paid->payment.id);
  ASSERT_TRUE(refunded);
  EXPECT_EQ(refunded->payment.status, PaymentStatus::Refunded);
  EXPECT_EQ(refunded->reservation.status, ReservationStatus::Refunded);
  EXPECT_EQ(seat(s.id, ids[0]).status, SeatStatus::Available);
  EXPECT_EQ(f->services->payments.refund("alice", paid->payment.id).error().code, ErrorCode::InvalidState);
  EXPECT_EQ(f->services->reservations.cancel("alice", r.id).error().code, ErrorCode::InvalidState);
  expect_invariants({s.id});
}

TEST_P(Payments, OthersCannotPayOrReadMyReservation) {
  auto s = f->make_schedule(20);
  auto r = f->hold("alice", s.id, seats(s.id, 0, 1));
  EXPECT_EQ(f->services->payments.pay({"bob", r.id, "k"}).error().code, ErrorCode::NotFound);
  EXPECT_EQ(f->services->reservations.get("bob", r.id).error().code, ErrorCode::NotFound);
  EXPECT_EQ(ledger_charges(), 0);
}

}  // namespace
}  // namespace concert::testing
