#include "domain/state_machines.hpp"

#include <gtest/gtest.h>

namespace concert::domain {
namespace {

TEST(ReservationStateMachine, FollowsSpec) {
  using R = ReservationStatus;
  EXPECT_TRUE(can_transition(R::Held, R::Paid));
  EXPECT_TRUE(can_transition(R::Held, R::Expired));
  EXPECT_TRUE(can_transition(R::Held, R::Cancelled));
  EXPECT_TRUE(can_transition(R::Paid, R::Refunded));
  EXPECT_TRUE(can_transition(R::Expired, R::Paid));  // late approval retaking the seats
  EXPECT_FALSE(can_transition(R::Paid, R::Held));
  EXPECT_FALSE(can_transition(R::Paid, R::Expired));
  EXPECT_FALSE(can_transition(R::Cancelled, R::Held));
  EXPECT_FALSE(can_transition(R::Refunded, R::Paid));
  EXPECT_FALSE(can_transition(R::Expired, R::Held));
}

TEST(PaymentStateMachine, FollowsSpec) {
  using P = PaymentStatus;
  for (auto to : {P::Approved, P::Declined, P::Failed, P::VoidPending}) EXPECT_TRUE(can_transition(P::Pending, to));
  // A late approval's refund goes through VOID_PENDING, entered before the gateway is called.
  EXPECT_TRUE(can_transition(P::VoidPending, P::Voided));
  EXPECT_FALSE(can_transition(P::Pending, P::Voided));
  // A charge that landed after the payment was given up (FAILED) goes back the same way.
  EXPECT_TRUE(can_transition(P::Failed, P::VoidPending));
  EXPECT_FALSE(can_transition(P::Failed, P::Approved));
  EXPECT_FALSE(can_transition(P::Declined, P::VoidPending));
  // A refund goes through REFUND_PENDING, entered before the gateway is called.
  EXPECT_TRUE(can_transition(P::Approved, P::RefundPending));
  EXPECT_TRUE(can_transition(P::RefundPending, P::Refunded));
  EXPECT_FALSE(can_transition(P::Approved, P::Refunded));
  EXPECT_FALSE(can_transition(P::RefundPending, P::Approved));
  EXPECT_FALSE(can_transition(P::Pending, P::RefundPending));
  EXPECT_FALSE(can_transition(P::Declined, P::Approved));
  EXPECT_FALSE(can_transition(P::Refunded, P::Approved));
  EXPECT_FALSE(can_transition(P::Voided, P::Approved));
  EXPECT_FALSE(can_transition(P::Approved, P::Pending));
}

TEST(SeatStateMachine, FollowsSpec) {
  using S = SeatStatus;
  EXPECT_TRUE(can_transition(S::Available, S::Held));
  EXPECT_TRUE(can_transition(S::Held, S::Sold));
  EXPECT_TRUE(can_transition(S::Held, S::Available));
  EXPECT_TRUE(can_transition(S::Sold, S::Available));
  EXPECT_FALSE(can_transition(S::Sold, S::Held));
}

TEST(TokenStateMachine, FollowsSpec) {
  using T = TokenStatus;
  EXPECT_TRUE(can_transition(T::Waiting, T::Active));
  EXPECT_TRUE(can_transition(T::Active, T::Used));
  EXPECT_TRUE(can_transition(T::Active, T::Expired));
  EXPECT_TRUE(can_transition(T::Waiting, T::Left));
  EXPECT_FALSE(can_transition(T::Used, T::Active));
  EXPECT_FALSE(can_transition(T::Expired, T::Active));
  EXPECT_FALSE(can_transition(T::Waiting, T::Used));
}

TEST(StatusNames, RoundTrip) {
  for (auto s : {ReservationStatus::Held, ReservationStatus::Paid, ReservationStatus::Expired,
                 ReservationStatus::Cancelled, ReservationStatus::Refunded}) {
    EXPECT_EQ(reservation_status_from(to_string(s)), s);
  }
  for (auto s :
       {PaymentStatus::Pending, PaymentStatus::Approved, PaymentStatus::Declined, PaymentStatus::Failed,
        PaymentStatus::RefundPending, PaymentStatus::Refunded, PaymentStatus::VoidPending, PaymentStatus::Voided}) {
    EXPECT_EQ(payment_status_from(to_string(s)), s);
  }
  EXPECT_EQ(seat_status_from("HELD"), SeatStatus::Held);
  EXPECT_FALSE(seat_status_from("held").has_value());
}

}  // namespace
}  // namespace concert::domain
