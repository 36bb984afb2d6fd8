// Checkout and refunds (SPEC §3, §4). No transaction is open while the gateway
// is called: transaction 1 records a PENDING payment and claims the reservation,
// the gateway is called with the payment id as its idempotency key, transaction 2
// applies the outcome. A retry with the same Idempotency-Key resumes the same
// PENDING payment, so a timeout can never lead to a second charge (I3).
#pragma once

#include <string>

#include "app/context.hpp"
#include "app/idempotency.hpp"
#include "domain/errors.hpp"

namespace concert::app {

struct PayRequest {
  domain::UserId user;
  domain::Id reservation_id = 0;
  std::string idempotency_key;
};

struct PaymentView {
  domain::Payment payment;
  domain::Reservation reservation;
};

// The gateway's own report of a charge's outcome (POST /webhooks/pg), verified
// by the HTTP layer. The gateway tx id makes a re-sent report recognisable.
struct GatewayReport {
  domain::Id payment_id = 0;
  std::string gateway_tx_id;
  bool approved = false;
  domain::Money amount = 0;
  std::string reason;  // why it was declined
};

// How a payment that was PENDING came out of settlement: the outcome is the
// return value, not a flag set inside a retried transaction.
enum class Settlement {
  Paid,       // APPROVED, its reservation PAID
  Declined,   // DECLINED (the gateway refused) or FAILED (the gateway never took it)
  Voiding,    // a late approval that could not retake its seats: VOID_PENDING (or VOIDED)
  ByAnother,  // another settler (the gateway's report, a retry) had settled it; answered as it did
  Unsettled,  // the gateway's outcome is not known: still PENDING
};

struct Settled {
  Settlement how = Settlement::Unsettled;
  domain::Result<PaymentView> answer;  // what the payer is told
};

class Payments {
 public:
  explicit Payments(AppContext& ctx) : ctx_(ctx) {}

  // With a key, the payment claims it in its first transaction and stores its
  // answer in the one that applies the gateway's outcome.
  domain::Result<PaymentView> pay(const PayRequest& request, Keyed<PaymentView>* key = nullptr);
  domain::Result<domain::Payment> get(const domain::UserId& user, domain::Id payment_id);
  // In two phases (SPEC §3): transaction 1 claims the key (409 in flight, 422
  // reused, before any gateway call) and moves APPROVED -> REFUND_PENDING with its
  // event; the gateway refunds under the payment's own key with no lock held;
  // transaction 2 moves it to REFUNDED and frees the seats. A REFUND_PENDING
  // payment is resumed by a retry (any key) and by the reconciler.
  domain::Result<PaymentView> refund(const domain::UserId& user, domain::Id payment_id,
                                     Keyed<PaymentView>* key = nullptr);
  // Finishes a payment left in a *_PENDING state (the reconciler): a PENDING one
  // is looked up at the gateway by its charge key and settled (FAILED when the
  // gateway never saw it); a REFUND_PENDING or VOID_PENDING one is refunded again
  // under its refund key. Answers the state it reached.
  domain::Result<domain::PaymentStatus> reconcile(const domain::Payment& pending);
  // Settles a PENDING payment with the report's outcome, as the charge's own
  // answer would have (a late approval included), so a payment whose answer was
  // lost completes without the fan's retry. A report the payment already agrees
  // with changes nothing; one it contradicts is InvalidState. Answers the
  // payment as it now stands.
  domain::Result<PaymentView> apply_gateway_report(const GatewayReport& report);

 private:
  domain::Result<PaymentView> start(const PayRequest& request, Keyed<PaymentView>* key);
  // The gateway's three calls, each counted and timed in the KPIs. No transaction is open.
  ports::GatewayResult charge_at_gateway(const domain::Payment& payment, domain::Id reservation_id);
  ports::GatewayResult refund_at_gateway(const domain::Payment& payment);
  ports::GatewayResult lookup_at_gateway(const domain::Payment& payment);
  // The one way out of PENDING: applies the gateway's outcome for the payment.
  Settled settle(const PaymentView& started, const ports::GatewayResult& result, Keyed<PaymentView>* key);
  Settled approve(const PaymentView& started, const std::string& gateway_tx_id, Keyed<PaymentView>* key);
  // An approval that cannot be honoured: the payment, still `from` (PENDING for a
  // late approval, FAILED for a charge that landed after it was given up), goes
  // to VOID_PENDING and the charge is refunded; `answer` is the payer's.
  Settled void_charge(const domain::Payment& payment, domain::PaymentStatus from, const std::string& gateway_tx_id,
                      const domain::Result<PaymentView>& answer, Keyed<PaymentView>* key);
  // A payment that will not be paid goes from `from` to `to` (DECLINED, FAILED,
  // or VOID_PENDING) with its event; its claim on the reservation is released and
  // `answer` stored for its key.
  Settled close_unpaid(const domain::Payment& payment, domain::PaymentStatus from, domain::PaymentStatus to,
                       const std::string& gateway_tx_id, const char* event, const domain::Result<PaymentView>& answer,
                       Keyed<PaymentView>* key);
  // The payment left PENDING under another settler's hands (the gateway's report
  // and the charge's answer race): answers with the outcome it applied.
  Settled settled_elsewhere(ports::Tx& tx, domain::Id payment_id, Keyed<PaymentView>* key);

  domain::Result<domain::Payment> begin_refund(const domain::UserId& user, domain::Id payment_id,
                                               Keyed<PaymentView>* key);
  domain::Result<PaymentView> complete_refund(const domain::Payment& pending, Keyed<PaymentView>* key);
  // VOID_PENDING -> VOIDED once the gateway confirms the refund of a late approval.
  domain::Result<domain::Payment> complete_void(const domain::Payment& pending);

  AppContext& ctx_;
};

}  // namespace concert::app
