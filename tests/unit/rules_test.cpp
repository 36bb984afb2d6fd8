#include "domain/rules.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace concert::domain {
namespace {

TEST(SeatRequest, AcceptsOneToMaxDistinctIds) {
  std::vector<Id> one{5}, four{1, 2, 3, 4};
  EXPECT_TRUE(validate_seat_request(one, 4));
  EXPECT_TRUE(validate_seat_request(four, 4));
}

TEST(SeatRequest, RejectsEmptyTooManyDuplicatesAndNonPositive) {
  std::vector<Id> none, five{1, 2, 3, 4, 5}, dup{1, 1}, zero{0, 3};
  EXPECT_EQ(validate_seat_request(none, 4).error().code, ErrorCode::BadSeats);
  EXPECT_EQ(validate_seat_request(five, 4).error().code, ErrorCode::BadSeats);
  EXPECT_EQ(validate_seat_request(dup, 4).error().code, ErrorCode::BadSeats);
  EXPECT_EQ(validate_seat_request(zero, 4).error().code, ErrorCode::BadSeats);
}

TEST(Admission, NeverExceedsRateNorCapacity) {
  QueueSettings q{10, 25, 600, 120};
  EXPECT_EQ(admissions_allowed(q, 0, 0), 10);
  EXPECT_EQ(admissions_allowed(q, 4, 0), 6);
  EXPECT_EQ(admissions_allowed(q, 10, 0), 0);
  EXPECT_EQ(admissions_allowed(q, 0, 20), 5);
  EXPECT_EQ(admissions_allowed(q, 0, 25), 0);
  EXPECT_EQ(admissions_allowed(q, 12, 30), 0);  // over both: never negative
}

TEST(Eta, RoundsUpAtTheAdmissionRate) {
  QueueSettings q{10, 25, 600, 120};
  EXPECT_EQ(eta_seconds(1, q), 1);
  EXPECT_EQ(eta_seconds(10, q), 1);
  EXPECT_EQ(eta_seconds(11, q), 2);
  EXPECT_EQ(eta_seconds(0, q), 0);
}

TEST(QueueSettingsValidation, RejectsOutOfRange) {
  EXPECT_TRUE(validate_queue_settings({50, 500, 600, 120}));
  EXPECT_FALSE(validate_queue_settings({0, 500, 600, 120}));
  EXPECT_FALSE(validate_queue_settings({50, 0, 600, 120}));
  EXPECT_FALSE(validate_queue_settings({50, 500, 1, 120}));
}

TEST(SalesWindow, HalfOpen) {
  Schedule s;
  s.sales_open_at = TimePoint(Millis(1000));
  s.sales_close_at = TimePoint(Millis(2000));
  EXPECT_FALSE(sales_open(s, TimePoint(Millis(999))));
  EXPECT_TRUE(sales_open(s, TimePoint(Millis(1000))));
  EXPECT_FALSE(sales_open(s, TimePoint(Millis(2000))));
}

TEST(PendingPayment, IsForTheReservationsAmountUnderTheFansKey) {
  Reservation r;
  r.id = 7;
  r.amount = 150'000;
  const auto p = pending_payment(r, "alice", "pay-1", TimePoint(Millis(5000)));
  EXPECT_EQ(p.id, 0);
  EXPECT_EQ(p.reservation_id, 7);
  EXPECT_EQ(p.user_id, "alice");
  EXPECT_EQ(p.amount, 150'000);
  EXPECT_EQ(p.status, PaymentStatus::Pending);
  EXPECT_EQ(p.idempotency_key, "pay-1");
  EXPECT_EQ(p.created_at, TimePoint(Millis(5000)));
  EXPECT_EQ(p.updated_at, p.created_at);
  EXPECT_EQ(p.version, 1);
}

}  // namespace
}  // namespace concert::domain
