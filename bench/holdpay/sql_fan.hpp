// One fan's hold and payment as a hand-written JDBC application would send
// them: only the essential statements, with the SQL text concertd uses (but
// for the UPDATE that takes the seat, see --hold-sql).
//   hold:  INSERT reservations, INSERT reservation_seats, the conditional
//          UPDATE seats -> HELD (fewer rows than seats: roll back), INSERT outbox
//          ReservationHeld; COMMIT.
//   pay 1: INSERT payments_main (PENDING); COMMIT. (The gateway call would go
//          here; the baseline calls nothing.)
//   pay 2: UPDATE payments_main -> APPROVED WHERE status = 'PENDING', UPDATE
//          reservations -> PAID WHERE status = 'HELD', UPDATE seats -> SOLD
//          WHERE reservation_id = ? AND status = 'HELD', INSERT outbox
//          PaymentApproved and ReservationPaid; COMMIT.
// The reservation is inserted before the seats are taken because the UPDATE
// stamps the seats with its (AUTO_INCREMENT) id, as in concertd.
//
// With Statements::Concertd the fan also sends what concertd's store sends for a
// keyed hold and payment, in concertd's order: the Idempotency-Key claimed first
// and answered last in the hold and in the payment's outcome; the fan lock and
// the seat read with the fan's live seat count before the hold; the reservation
// read, the payment claim and PaymentRequested in the payment's first
// transaction; the reservation turned PAID with its claim released (mark_paid).
#pragma once

#include <string>
#include <tl/expected.hpp>

#include "bench/holdpay/sql_session.hpp"
#include "domain/types.hpp"

namespace concert::bench::holdpay {

struct SqlFan {
  domain::UserId user;
  domain::Seat seat;
  std::string hold_key;
  std::string pay_key;
};

// Failures the database reported as a row count (the transaction was rolled
// back), e.g. "hold: seat not AVAILABLE". Exceptions (ports::TxConflict,
// ports::StoreUnavailable) pass through.
tl::expected<domain::Reservation, std::string> hold(SqlSession& session, const SqlFan& fan, Statements statements);
tl::expected<void, std::string> pay(SqlSession& session, const SqlFan& fan, domain::Reservation& reservation,
                                    Statements statements);

}  // namespace concert::bench::holdpay
