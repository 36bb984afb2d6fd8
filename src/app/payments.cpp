#include "app/payments.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "app/outbox.hpp"
#include "app/transaction.hpp"
#include "domain/rules.hpp"
#include "domain/state_machines.hpp"

namespace concert::app {

using domain::ErrorCode;
using domain::fail;
using domain::PaymentStatus;
using domain::ReservationStatus;

namespace {

// What a FAILED payment answers, first and on every replay.
constexpr const char* kNeverTaken = "the payment failed: the gateway never took the charge";

std::string charge_key(domain::Id payment_id) { return "pay-" + std::to_string(payment_id); }
std::string refund_key(domain::Id payment_id) { return "refund-" + std::to_string(payment_id); }

PaymentView view_of(ports::Tx& tx, const domain::Payment& p) { return {p, *tx.find_reservation(p.reservation_id)}; }

// The answer a finished payment gives when its key is used again.
domain::Result<domain::Payment> outcome_of(const domain::Payment& p) {
  switch (p.status) {
    case PaymentStatus::Declined:
      return fail(ErrorCode::PaymentDeclined, "the payment was declined");
    case PaymentStatus::Failed:
      return fail(ErrorCode::PaymentDeclined, kNeverTaken);
    case PaymentStatus::VoidPending:
    case PaymentStatus::Voided:
      return fail(ErrorCode::HoldExpired, "the hold expired before the approval; the charge was refunded");
    default:
      return p;
  }
}

}  // namespace

domain::Result<PaymentView> Payments::start(const PayRequest& request, Keyed<PaymentView>* key) {
  const auto now = ctx_.clock.now();
  return in_transaction(ctx_.store, ports::TxMode::Write, [&](ports::Tx& tx) -> domain::Result<PaymentView> {
    if (auto claimed = claim_key(key, tx); !claimed) return tl::unexpected(claimed.error());
    auto r = tx.find_reservation(request.reservation_id);
    if (!r || r->user_id != request.user) {
      return fail(ErrorCode::NotFound, "no reservation " + std::to_string(request.reservation_id));
    }
    const bool payable = r->status == ReservationStatus::Held && r->expires_at > now;
    if (payable) {
      auto p = domain::pending_payment(*r, request.user, request.idempotency_key, now);
      if (const auto id = tx.insert_payment(p)) {
        p.id = *id;
        if (!tx.claim_for_payment(r->id, p.id)) {
          return fail(ErrorCode::PaymentInProgress, "another payment for this reservation is in progress");
        }
        record(tx, p, "PaymentRequested", now);
        return PaymentView{p, *r};
      }
    }
    // Either the key already names a payment (a retry after the gateway did not
    // answer, or one whose stored answer was purged), or the hold cannot be paid.
    if (auto existing = tx.find_payment_by_key(request.user, request.idempotency_key)) {
      if (existing->reservation_id != r->id) {
        return fail(ErrorCode::KeyReused, "this Idempotency-Key was used for another reservation");
      }
      if (auto outcome = outcome_of(*existing); !outcome) return tl::unexpected(outcome.error());
      if (existing->status == PaymentStatus::Pending)
        tx.claim_for_payment(r->id, existing->id);  // resume: keep (or retake) the claim
      return PaymentView{*existing, *r};
    }
    if (payable) throw std::logic_error("payment insert ignored, yet no payment holds its key");
    if (r->status == ReservationStatus::Paid) return fail(ErrorCode::InvalidState, "the reservation is already paid");
    if (r->status == ReservationStatus::Expired || r->status == ReservationStatus::Held) {
      return fail(ErrorCode::HoldExpired, "the hold expired; hold the seats again");
    }
    return fail(ErrorCode::InvalidState, "the reservation is " + std::string(to_string(r->status)));
  });
}

namespace {

// One gateway call, counted and timed in the KPIs.
template <typename Call>
ports::GatewayResult observed(Kpis& kpis, Kpis::GatewayCall which, Call&& call) {
  const auto began = std::chrono::steady_clock::now();
  auto result = call();
  kpis.gateway_call(which, result.outcome, std::chrono::steady_clock::now() - began);
  return result;
}

}  // namespace

ports::GatewayResult Payments::charge_at_gateway(const domain::Payment& payment, domain::Id reservation_id) {
  return observed(ctx_.kpis, Kpis::GatewayCall::Charge, [&] {
    return ctx_.gateway.charge({charge_key(payment.id), payment.amount, payment.user_id, reservation_id, payment.id});
  });
}

ports::GatewayResult Payments::refund_at_gateway(const domain::Payment& payment) {
  return observed(ctx_.kpis, Kpis::GatewayCall::Refund, [&] {
    return ctx_.gateway.refund(refund_key(payment.id), payment.gateway_tx_id.value_or(""), payment.amount);
  });
}

ports::GatewayResult Payments::lookup_at_gateway(const domain::Payment& payment) {
  return observed(ctx_.kpis, Kpis::GatewayCall::Lookup, [&] { return ctx_.gateway.lookup(charge_key(payment.id)); });
}

domain::Result<PaymentView> Payments::pay(const PayRequest& request, Keyed<PaymentView>* key) {
  auto started = start(request, key);
  if (!started) return tl::unexpected(started.error());
  if (started->payment.status != PaymentStatus::Pending) return *started;  // the key's payment already finished

  auto settled = settle(*started, charge_at_gateway(started->payment, request.reservation_id), key);
  if (settled.how == Settlement::Unsettled) ctx_.kpis.payments_failed.inc();
  return std::move(settled.answer);
}

Settled Payments::settle(const PaymentView& started, const ports::GatewayResult& result, Keyed<PaymentView>* key) {
  const auto& payment = started.payment;
  switch (result.outcome) {
    case ports::GatewayOutcome::Approved:
      return approve(started, result.gateway_tx_id, key);
    case ports::GatewayOutcome::Declined:
      return close_unpaid(payment, PaymentStatus::Pending, PaymentStatus::Declined, result.gateway_tx_id,
                          "PaymentDeclined",
                          fail(ErrorCode::PaymentDeclined, "the payment was declined: " + result.reason), key);
    case ports::GatewayOutcome::NotFound:
      return close_unpaid(payment, PaymentStatus::Pending, PaymentStatus::Failed, "", "PaymentFailed",
                          fail(ErrorCode::PaymentDeclined, kNeverTaken), key);
    case ports::GatewayOutcome::Unknown:
    case ports::GatewayOutcome::Unavailable:
      break;
  }
  // Outcome unknown: the payment stays PENDING and claimed; a retry with the same
  // key asks the gateway again under the same key, which cannot charge twice,
  // and the reconciler looks it up if nobody retries.
  return {Settlement::Unsettled,
          fail(ErrorCode::GatewayUnavailable,
               "the payment gateway did not answer (" + result.reason + "); retry with the same Idempotency-Key")};
}

Settled Payments::approve(const PaymentView& started, const std::string& gateway_tx_id, Keyed<PaymentView>* key) {
  const auto now = ctx_.clock.now();
  const auto& payment = started.payment;
  auto settled = in_transaction(ctx_.store, ports::TxMode::Write, [&](ports::Tx& tx) -> domain::Result<Settled> {
    auto r = started.reservation;  // as this payment claimed it: HELD
    const int seats = static_cast<int>(r.seat_ids.size());
    // The reservation row first, as the expiry sweep takes it: no deadlock between them.
    if (tx.mark_paid(r.id, payment.id)) {
      // Still ours (even if its expiry is due but not swept: nobody else could take the seats).
      if (tx.sell_held_seats(r.id) != seats) return fail(ErrorCode::HoldExpired, "seats no longer held");
    } else {
      if (tx.find_payment(payment.id)->status != PaymentStatus::Pending) return settled_elsewhere(tx, payment.id, key);
      r = *tx.find_reservation(r.id);
      if (r.status != ReservationStatus::Expired) {
        return fail(ErrorCode::HoldExpired, "the reservation is " + std::string(to_string(r.status)));
      }
      // Late approval: accepted only if every seat is still AVAILABLE to retake (SPEC §4).
      if (tx.retake_seats(r.seat_ids, r.id) != seats) return fail(ErrorCode::HoldExpired, "seats were taken");
      tx.transition_reservation(r.id, ReservationStatus::Expired, ReservationStatus::Paid);
      tx.clear_payment_claim(r.id, payment.id);
    }
    r.status = ReservationStatus::Paid;  // as either transition above left it
    ++r.version;
    record(tx, r, "ReservationPaid", now);
    if (!tx.transition_payment(payment.id, PaymentStatus::Pending, PaymentStatus::Approved, gateway_tx_id, now)) {
      return fail(ErrorCode::InvalidState, "the payment changed meanwhile");
    }
    auto p = payment;  // as the conditional UPDATE above left it
    p.status = PaymentStatus::Approved;
    p.gateway_tx_id = gateway_tx_id;
    p.updated_at = now;
    ++p.version;
    record(tx, p, "PaymentApproved", now);
    PaymentView view{p, r};
    settle_key(key, tx, domain::Result<PaymentView>(view));
    return Settled{Settlement::Paid, view};
  });
  if (!settled) {
    if (settled.error().code == ErrorCode::HoldExpired) {
      return void_charge(payment, PaymentStatus::Pending, gateway_tx_id,
                         fail(ErrorCode::HoldExpired,
                              "the hold expired before the approval and its seats were taken; the charge was refunded"),
                         key);
    }
    return {Settlement::Unsettled, tl::unexpected(settled.error())};
  }
  if (settled->how == Settlement::ByAnother &&
      ctx_.store.begin(ports::TxMode::Read)->find_payment(payment.id)->status == PaymentStatus::Failed) {
    // Given up while this charge was on its way (the gateway had no record of it
    // when asked): the money must not stay with the gateway.
    return void_charge(payment, PaymentStatus::Failed, gateway_tx_id,
                       fail(ErrorCode::PaymentDeclined,
                            "the payment had failed before the gateway took the charge; the charge was refunded"),
                       key);
  }
  if (settled->how == Settlement::Paid) {
    const auto& reservation = settled->answer->reservation;
    ctx_.seat_maps.invalidate(reservation.schedule_id);
    // The payment is committed: its answer must not depend on freeing the fan's
    // queue slot. If the queue store is away, the token's active_ttl frees it.
    try {
      ctx_.queue.mark_used(reservation.schedule_id, reservation.user_id);
    } catch (const ports::StoreUnavailable& e) {
      spdlog::warn("payment {} approved; the queue slot stays until its token expires: {}", payment.id, e.what());
    }
    ctx_.kpis.payments_approved.inc();
  }
  return std::move(*settled);
}

Settled Payments::void_charge(const domain::Payment& payment, PaymentStatus from, const std::string& gateway_tx_id,
                              const domain::Result<PaymentView>& answer, Keyed<PaymentView>* key) {
  // Decided, with its event and the client's answer, before the gateway is asked
  // for the money back; until it confirms, the payment stays VOID_PENDING.
  auto closed =
      close_unpaid(payment, from, PaymentStatus::VoidPending, gateway_tx_id, "PaymentVoidRequested", answer, key);
  if (closed.how != Settlement::Voiding) return closed;
  auto pending = *ctx_.store.begin(ports::TxMode::Read)->find_payment(payment.id);
  if (auto voided = complete_void(pending); !voided) {
    spdlog::warn("payment {} stays VOID_PENDING: {}", payment.id, voided.error().detail);
  }
  return closed;
}

domain::Result<domain::Payment> Payments::complete_void(const domain::Payment& pending) {
  const auto result = refund_at_gateway(pending);
  if (result.outcome != ports::GatewayOutcome::Approved) {
    return fail(ErrorCode::GatewayUnavailable,
                "the payment gateway did not confirm the refund of the late approval: " + result.reason);
  }
  const auto now = ctx_.clock.now();
  return in_transaction(ctx_.store, ports::TxMode::Write, [&](ports::Tx& tx) -> domain::Result<domain::Payment> {
    // Not moved: another attempt (the reconciler, a retry) settled it first.
    if (!tx.transition_payment(pending.id, PaymentStatus::VoidPending, PaymentStatus::Voided, std::nullopt, now)) {
      return *tx.find_payment(pending.id);
    }
    auto p = *tx.find_payment(pending.id);
    record(tx, p, "PaymentVoided", now);
    return p;
  });
}

domain::Result<PaymentStatus> Payments::reconcile(const domain::Payment& pending) {
  switch (pending.status) {
    case PaymentStatus::Pending: {
      const auto found = lookup_at_gateway(pending);
      const auto settled = settle(view_of(*ctx_.store.begin(ports::TxMode::Read), pending), found, nullptr);
      if (settled.how == Settlement::Unsettled) return tl::unexpected(settled.answer.error());
      // A decline or a void answers a payer with an error; here the state it left is the answer.
      return ctx_.store.begin(ports::TxMode::Read)->find_payment(pending.id)->status;
    }
    case PaymentStatus::VoidPending: {
      auto voided = complete_void(pending);
      if (!voided) return tl::unexpected(voided.error());
      return voided->status;
    }
    case PaymentStatus::RefundPending: {
      auto refunded = complete_refund(pending, nullptr);
      if (!refunded) return tl::unexpected(refunded.error());
      return refunded->payment.status;
    }
    default:
      return pending.status;  // settled meanwhile
  }
}

Settled Payments::close_unpaid(const domain::Payment& payment, PaymentStatus from, PaymentStatus to,
                               const std::string& gateway_tx_id, const char* event,
                               const domain::Result<PaymentView>& answer, Keyed<PaymentView>* key) {
  if (!domain::can_transition(from, to)) {
    throw std::logic_error(std::string(to_string(from)) + " cannot become " + std::string(to_string(to)));
  }
  const auto now = ctx_.clock.now();
  auto closed = in_transaction(ctx_.store, ports::TxMode::Write, [&](ports::Tx& tx) -> domain::Result<Settled> {
    const std::optional<std::string> tx_id = gateway_tx_id.empty() ? std::nullopt : std::optional(gateway_tx_id);
    if (!tx.transition_payment(payment.id, from, to, tx_id, now)) return settled_elsewhere(tx, payment.id, key);
    auto p = *tx.find_payment(payment.id);
    record(tx, p, event, now);
    tx.clear_payment_claim(p.reservation_id, p.id);
    settle_key(key, tx, answer);
    return Settled{to == PaymentStatus::VoidPending ? Settlement::Voiding : Settlement::Declined, answer};
  });
  if (!closed) return {Settlement::Unsettled, tl::unexpected(closed.error())};
  if (closed->how != Settlement::ByAnother) ctx_.kpis.payments_failed.inc();
  return std::move(*closed);
}

Settled Payments::settled_elsewhere(ports::Tx& tx, domain::Id payment_id, Keyed<PaymentView>* key) {
  const auto answer =
      outcome_of(*tx.find_payment(payment_id)).map([&tx](const domain::Payment& p) { return view_of(tx, p); });
  settle_key(key, tx, answer);
  return {Settlement::ByAnother, answer};
}

domain::Result<PaymentView> Payments::apply_gateway_report(const GatewayReport& report) {
  const auto read = [&]() -> std::optional<PaymentView> {
    auto tx = ctx_.store.begin(ports::TxMode::Read);
    auto p = tx->find_payment(report.payment_id);
    if (!p) return std::nullopt;
    return view_of(*tx, *p);
  };
  auto current = read();
  if (!current) return fail(ErrorCode::NotFound, "no payment " + std::to_string(report.payment_id));
  if (current->payment.amount != report.amount) {
    return fail(ErrorCode::InvalidInput, "the report is for " + std::to_string(report.amount) + " KRW; payment " +
                                             std::to_string(report.payment_id) + " is for " +
                                             std::to_string(current->payment.amount));
  }
  // A FAILED payment was given up because the gateway had no record of its
  // charge; an approval for it means the charge landed after all: settled like
  // the charge's own late answer, which sends the money back.
  const bool landed_after_giving_up = current->payment.status == PaymentStatus::Failed && report.approved;
  if (current->payment.status == PaymentStatus::Pending || landed_after_giving_up) {
    // Settled as the charge's answer would have been; the report's sender needs
    // no answer of the payer's kind (a decline, a void), only the state it left.
    const ports::GatewayResult outcome{
        report.approved ? ports::GatewayOutcome::Approved : ports::GatewayOutcome::Declined, report.gateway_tx_id,
        report.reason};
    (void)settle(*current, outcome, nullptr);
    current = read();
  }
  const auto& p = current->payment;
  const bool approved = domain::was_charged(p.status);
  const bool declined = p.status == PaymentStatus::Declined || p.status == PaymentStatus::Failed;
  if (p.gateway_tx_id != report.gateway_tx_id || !(report.approved ? approved : declined)) {
    return fail(ErrorCode::InvalidState, "payment " + std::to_string(p.id) + " is " + std::string(to_string(p.status)) +
                                             " under gateway tx " + p.gateway_tx_id.value_or("(none)") +
                                             "; the report says otherwise");
  }
  return *current;
}

domain::Result<domain::Payment> Payments::get(const domain::UserId& user, domain::Id payment_id) {
  auto p = ctx_.store.begin(ports::TxMode::Read)->find_payment(payment_id);
  if (!p || p->user_id != user) return fail(ErrorCode::NotFound, "no payment " + std::to_string(payment_id));
  return *p;
}

domain::Result<PaymentView> Payments::refund(const domain::UserId& user, domain::Id payment_id,
                                             Keyed<PaymentView>* key) {
  auto pending = begin_refund(user, payment_id, key);
  if (!pending) return tl::unexpected(pending.error());
  if (pending->status == PaymentStatus::Refunded) return view_of(*ctx_.store.begin(ports::TxMode::Read), *pending);
  return complete_refund(*pending, key);
}

domain::Result<domain::Payment> Payments::begin_refund(const domain::UserId& user, domain::Id payment_id,
                                                       Keyed<PaymentView>* key) {
  const auto now = ctx_.clock.now();
  return in_transaction(ctx_.store, ports::TxMode::Write, [&](ports::Tx& tx) -> domain::Result<domain::Payment> {
    // The key first: a key used before (another payment's refund, say) is refused
    // here, before the gateway hears of anything.
    if (auto claimed = claim_key(key, tx); !claimed) return tl::unexpected(claimed.error());
    auto p = tx.find_payment(payment_id);
    if (!p || p->user_id != user) return fail(ErrorCode::NotFound, "no payment " + std::to_string(payment_id));
    // Decided already (a retry after the gateway did not answer, or a crash): resume it.
    if (p->status == PaymentStatus::RefundPending) return *p;
    // This key's request died after deciding the refund, and the reconciler
    // finished it: the request's own outcome.
    if (p->status == PaymentStatus::Refunded && key && key->taken_over()) return *p;
    if (!domain::can_transition(p->status, PaymentStatus::RefundPending)) {
      return fail(ErrorCode::InvalidState,
                  "only an APPROVED payment can be refunded; this one is " + std::string(to_string(p->status)));
    }
    if (!tx.transition_payment(p->id, PaymentStatus::Approved, PaymentStatus::RefundPending, std::nullopt, now)) {
      return fail(ErrorCode::PaymentInProgress, "a refund of this payment is starting; retry");
    }
    auto moved = *tx.find_payment(p->id);
    record(tx, moved, "PaymentRefundRequested", now);
    return moved;
  });
}

domain::Result<PaymentView> Payments::complete_refund(const domain::Payment& pending, Keyed<PaymentView>* key) {
  // No transaction is open; the gateway's key is the payment's, so every attempt
  // (retries, another instance, the reconciler) refunds it at most once.
  const auto result = refund_at_gateway(pending);
  if (result.outcome != ports::GatewayOutcome::Approved) {
    return fail(ErrorCode::GatewayUnavailable, "the payment gateway did not confirm the refund (" + result.reason +
                                                   "); the payment stays REFUND_PENDING until it does");
  }
  const auto now = ctx_.clock.now();
  auto refunded = in_transaction(ctx_.store, ports::TxMode::Write, [&](ports::Tx& tx) -> domain::Result<PaymentView> {
    if (!tx.transition_payment(pending.id, PaymentStatus::RefundPending, PaymentStatus::Refunded, std::nullopt, now)) {
      // Another attempt settled it first: answer as it did.
      auto current = *tx.find_payment(pending.id);
      if (current.status != PaymentStatus::Refunded) {
        return fail(ErrorCode::InvalidState, "payment " + std::to_string(pending.id) + " is " +
                                                 std::string(to_string(current.status)) + ", not REFUND_PENDING");
      }
      PaymentView view = view_of(tx, current);
      settle_key(key, tx, domain::Result<PaymentView>(view));
      return view;
    }
    auto payment = *tx.find_payment(pending.id);
    record(tx, payment, "PaymentRefunded", now);
    auto r = *tx.find_reservation(payment.reservation_id);
    if (tx.transition_reservation(r.id, ReservationStatus::Paid, ReservationStatus::Refunded)) {
      tx.release_seats(r.id, domain::SeatStatus::Sold);
      r.status = ReservationStatus::Refunded;
      ++r.version;
      record(tx, r, "ReservationRefunded", now);
    }
    PaymentView view{payment, r};
    settle_key(key, tx, domain::Result<PaymentView>(view));
    return view;
  });
  if (refunded) ctx_.seat_maps.invalidate(refunded->reservation.schedule_id);
  return refunded;
}

}  // namespace concert::app
