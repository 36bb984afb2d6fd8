#include "bench/holdpay/sql_fan.hpp"

#include <chrono>

#include "app/outbox.hpp"

namespace concert::bench::holdpay {

namespace {

// As concertd's default hold_ttl_seconds; nothing here waits for it.
constexpr std::chrono::minutes kHoldTtl{5};

domain::TimePoint now() { return std::chrono::time_point_cast<domain::Millis>(std::chrono::system_clock::now()); }

}  // namespace

tl::expected<domain::Reservation, std::string> hold(SqlSession& session, const SqlFan& fan) {
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
  r.id = tx->insert_reservation(r);
  if (session.hold_seat(*tx, r.schedule_id, fan.seat.id, r.id, r.expires_at) != 1) {
    return tl::unexpected(std::string("hold: seat not AVAILABLE"));
  }
  app::record(*tx, r, "ReservationHeld", at);
  tx->commit();
  return r;
}

tl::expected<void, std::string> pay(SqlSession& session, const SqlFan& fan, domain::Reservation& r) {
  using domain::PaymentStatus;
  using domain::ReservationStatus;
  domain::Payment p;
  p.reservation_id = r.id;
  p.user_id = fan.user;
  p.amount = r.amount;
  p.status = PaymentStatus::Pending;
  p.idempotency_key = fan.pay_key;
  p.created_at = p.updated_at = now();
  p.version = 1;
  {
    auto tx = session.begin();
    p.id = tx->insert_payment(p).value();
    tx->commit();
  }

  const auto at = now();
  auto tx = session.begin();
  p.gateway_tx_id = "holdpay-" + std::to_string(p.id);
  if (!tx->transition_payment(p.id, PaymentStatus::Pending, PaymentStatus::Approved, p.gateway_tx_id, at)) {
    return tl::unexpected(std::string("pay: payment not PENDING"));
  }
  if (!tx->transition_reservation(r.id, ReservationStatus::Held, ReservationStatus::Paid)) {
    return tl::unexpected(std::string("pay: reservation not HELD"));
  }
  if (tx->sell_held_seats(r.id) != static_cast<int>(r.seat_ids.size())) {
    return tl::unexpected(std::string("pay: seat not HELD"));
  }
  p.status = PaymentStatus::Approved;
  p.updated_at = at;
  ++p.version;
  app::record(*tx, p, "PaymentApproved", at);
  r.status = ReservationStatus::Paid;
  ++r.version;
  app::record(*tx, r, "ReservationPaid", at);
  tx->commit();
  return {};
}

}  // namespace concert::bench::holdpay
