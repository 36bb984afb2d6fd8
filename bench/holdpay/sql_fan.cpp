#include "bench/holdpay/sql_fan.hpp"

#include <chrono>

#include "app/outbox.hpp"
#include "app/views.hpp"
#include "domain/rules.hpp"

namespace concert::bench::holdpay {

namespace {

// As concertd's default hold_ttl_seconds; nothing here waits for it.
constexpr std::chrono::minutes kHoldTtl{5};
// Statements::Concertd: what concertd stores for an Idempotency-Key. The request
// hash is the size of concertd's (SHA-256 in hex); its value matters to nobody here.
const std::string kRequestHash(64, 'f');
constexpr int kCreated = 201;

domain::TimePoint now() { return std::chrono::time_point_cast<domain::Millis>(std::chrono::system_clock::now()); }

void claim_key(ports::Tx& tx, const SqlFan& fan, const char* scope, const std::string& key, domain::TimePoint at) {
  tx.try_insert_idempotency({fan.user, scope, key, kRequestHash, false, 0, "", at, "concert-holdpay"});
}

}  // namespace

tl::expected<domain::Reservation, std::string> hold(SqlSession& session, const SqlFan& fan, Statements statements) {
  const bool as_concertd = statements == Statements::Concertd;
  const auto at = now();
  domain::Reservation r;
  r.schedule_id = fan.seat.schedule_id;
  r.user_id = fan.user;
  r.status = domain::ReservationStatus::Held;
  r.seat_ids = {fan.seat.id};
  r.amount = fan.seat.price;
  r.created_at = at;
  r.expires_at = at + kHoldTtl;
  r.idempotency_key = fan.hold_key;
  r.version = 1;
  auto tx = session.begin();
  if (as_concertd) {
    claim_key(*tx, fan, "reservations", fan.hold_key, at);
    tx->lock_fan(r.schedule_id, fan.user);
    const auto read = tx->find_seats_to_hold(r.schedule_id, r.seat_ids, fan.user);
    if (read.seats.size() != 1 || read.seats[0].status != domain::SeatStatus::Available) {
      return tl::unexpected(std::string("hold: seat not AVAILABLE"));
    }
  }
  r.id = tx->insert_reservation(r).value();
  if (session.hold_seat(*tx, r.schedule_id, fan.seat.id, r.id, r.expires_at) != 1) {
    return tl::unexpected(std::string("hold: seat not AVAILABLE"));
  }
  app::record(*tx, r, "ReservationHeld", at);
  if (as_concertd) tx->complete_idempotency(fan.user, "reservations", fan.hold_key, kCreated, app::to_json(r).dump());
  tx->commit();
  return r;
}

tl::expected<void, std::string> pay(SqlSession& session, const SqlFan& fan, domain::Reservation& r,
                                    Statements statements) {
  using domain::PaymentStatus;
  using domain::ReservationStatus;
  const bool as_concertd = statements == Statements::Concertd;
  auto p = domain::pending_payment(r, fan.user, fan.pay_key, now());
  {
    auto tx = session.begin();
    if (as_concertd) {
      claim_key(*tx, fan, "payments", fan.pay_key, p.created_at);
      if (!tx->find_reservation(r.id)) return tl::unexpected(std::string("pay: no reservation"));
    }
    const auto id = tx->insert_payment(p);
    if (!id) return tl::unexpected(std::string("pay: key already used"));
    p.id = *id;
    if (as_concertd) {
      if (!tx->claim_for_payment(r.id, p.id)) return tl::unexpected(std::string("pay: reservation not HELD"));
      app::record(*tx, p, "PaymentRequested", p.created_at);
    }
    tx->commit();
  }

  const auto at = now();
  auto tx = session.begin();
  p.gateway_tx_id = "holdpay-" + std::to_string(p.id);
  const bool reservation_paid = as_concertd ? tx->mark_paid(r.id, p.id)
                                            : tx->transition_reservation(r.id, ReservationStatus::Held,
                                                                         ReservationStatus::Paid);
  if (!reservation_paid) return tl::unexpected(std::string("pay: reservation not HELD"));
  if (tx->sell_held_seats(r.id) != static_cast<int>(r.seat_ids.size())) {
    return tl::unexpected(std::string("pay: seat not HELD"));
  }
  r.status = ReservationStatus::Paid;
  ++r.version;
  app::record(*tx, r, "ReservationPaid", at);
  if (!tx->transition_payment(p.id, PaymentStatus::Pending, PaymentStatus::Approved, p.gateway_tx_id, at)) {
    return tl::unexpected(std::string("pay: payment not PENDING"));
  }
  p.status = PaymentStatus::Approved;
  p.updated_at = at;
  ++p.version;
  app::record(*tx, p, "PaymentApproved", at);
  if (as_concertd) tx->complete_idempotency(fan.user, "payments", fan.pay_key, kCreated, app::to_json(p).dump());
  tx->commit();
  return {};
}

}  // namespace concert::bench::holdpay
