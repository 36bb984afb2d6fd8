#include "domain/state_machines.hpp"

namespace concert::domain {

bool can_transition(SeatStatus from, SeatStatus to) {
  using S = SeatStatus;
  return (from == S::Available && to == S::Held) || (from == S::Held && to == S::Sold) ||
         (from == S::Held && to == S::Available) || (from == S::Sold && to == S::Available) ||
         // a late approval retakes seats that were released: AVAILABLE -> SOLD at once
         (from == S::Available && to == S::Sold);
}

bool can_transition(ReservationStatus from, ReservationStatus to) {
  using R = ReservationStatus;
  switch (from) {
    case R::Held:
      return to == R::Paid || to == R::Expired || to == R::Cancelled;
    case R::Paid:
      return to == R::Refunded;
    case R::Expired:
      return to == R::Paid;  // late approval that retook the same seats (SPEC §4)
    case R::Cancelled:
    case R::Refunded:
      return false;
  }
  return false;
}

bool can_transition(PaymentStatus from, PaymentStatus to) {
  using P = PaymentStatus;
  switch (from) {
    case P::Pending:
      return to == P::Approved || to == P::Declined || to == P::Failed || to == P::VoidPending;
    case P::Approved:
      return to == P::RefundPending;
    case P::RefundPending:
      return to == P::Refunded;
    case P::VoidPending:
      return to == P::Voided;
    case P::Failed:
      // The gateway had no record of the charge, so the payment was given up;
      // then the charge landed after all (a retry or the reconciler raced it):
      // the money goes back, through VOID_PENDING like a late approval's.
      return to == P::VoidPending;
    default:
      return false;
  }
}

bool can_transition(TokenStatus from, TokenStatus to) {
  using T = TokenStatus;
  switch (from) {
    case T::Waiting:
      return to == T::Active || to == T::Expired || to == T::Left;
    case T::Active:
      return to == T::Used || to == T::Expired || to == T::Left;
    default:
      return false;
  }
}

bool is_live(ReservationStatus s) { return s == ReservationStatus::Held || s == ReservationStatus::Paid; }

bool was_charged(PaymentStatus s) {
  return s == PaymentStatus::Approved || s == PaymentStatus::RefundPending || s == PaymentStatus::Refunded ||
         s == PaymentStatus::VoidPending || s == PaymentStatus::Voided;
}

bool is_final(PaymentStatus s) {
  return s != PaymentStatus::Pending && s != PaymentStatus::RefundPending && s != PaymentStatus::VoidPending;
}

}  // namespace concert::domain
