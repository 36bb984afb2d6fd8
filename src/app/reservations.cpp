#include "app/reservations.hpp"

#include "app/outbox.hpp"
#include "app/transaction.hpp"
#include "domain/rules.hpp"

namespace concert::app {

using domain::ErrorCode;
using domain::fail;
using domain::ReservationStatus;

namespace {

// Long enough for one hold transaction; a lock whose owner died expires by itself.
constexpr domain::Millis kSeatLockTtl{3000};

// Releases the seat locks a hold took, whatever the transaction's outcome.
class SeatLockRelease {
 public:
  SeatLockRelease(ports::SeatLock& locks, domain::Id schedule_id, const std::vector<domain::Id>& seat_ids,
                  std::string owner)
      : locks_(locks), schedule_id_(schedule_id), seat_ids_(seat_ids), owner_(std::move(owner)) {}
  SeatLockRelease(const SeatLockRelease&) = delete;
  SeatLockRelease& operator=(const SeatLockRelease&) = delete;
  ~SeatLockRelease() {
    try {
      locks_.unlock(schedule_id_, seat_ids_, owner_);
    } catch (const std::exception&) {
      // Redis went away meanwhile: the locks expire by themselves within kSeatLockTtl.
    }
  }

 private:
  ports::SeatLock& locks_;
  domain::Id schedule_id_;
  const std::vector<domain::Id>& seat_ids_;
  std::string owner_;
};

}  // namespace

domain::Result<domain::Reservation> Reservations::hold(const HoldRequest& request, Keyed<domain::Reservation>* key) {
  auto schedule = schedules_.find(request.schedule_id);
  if (!schedule) return fail(ErrorCode::NotFound, "no schedule " + std::to_string(request.schedule_id));
  if (auto ok = domain::validate_seat_request(request.seat_ids, schedule->max_seats_per_user); !ok) {
    return tl::unexpected(ok.error());
  }
  if (auto ok = queue_.require_active(request.user, request.queue_token, request.schedule_id); !ok) {
    return tl::unexpected(ok.error());
  }
  const auto now = ctx_.clock.now();
  if (!domain::sales_open(*schedule, now)) return fail(ErrorCode::SalesClosed, "sales for this schedule are not open");

  // Fans racing for the same seats are turned away here, before the database;
  // the conditional UPDATE below still decides. A retry of this very request
  // (same user and key) owns the same locks.
  const auto lock_owner = request.user + "\n" + request.idempotency_key;
  if (!ctx_.seat_locks.try_lock(request.schedule_id, request.seat_ids, lock_owner, kSeatLockTtl)) {
    return fail(ErrorCode::SeatTaken, "one of the seats is being taken by another fan right now");
  }
  const SeatLockRelease release(ctx_.seat_locks, request.schedule_id, request.seat_ids, lock_owner);

  auto held = in_transaction(ctx_.store, ports::TxMode::Write, [&](ports::Tx& tx) -> domain::Result<domain::Reservation> {
    if (auto claimed = claim_key(key, tx); !claimed) return tl::unexpected(claimed.error());
    tx.lock_fan(request.schedule_id, request.user);  // next: the seat limit below counts what others committed
    const auto [seats, live] = tx.find_seats_to_hold(request.schedule_id, request.seat_ids, request.user);
    if (seats.size() != request.seat_ids.size()) {
      return fail(ErrorCode::BadSeats, "some seatIds do not exist in schedule " + std::to_string(request.schedule_id));
    }
    domain::Money amount = 0;
    for (const auto& seat : seats) {
      if (seat.status != domain::SeatStatus::Available) {
        return fail(ErrorCode::SeatTaken, "seat " + std::to_string(seat.id) + " is not available");
      }
      amount += seat.price;
    }
    if (live + static_cast<int>(seats.size()) > schedule->max_seats_per_user) {
      return fail(ErrorCode::SeatLimitReached, "at most " + std::to_string(schedule->max_seats_per_user) +
                                                   " seats per fan for this schedule; you hold " + std::to_string(live));
    }
    domain::Reservation r;
    r.schedule_id = request.schedule_id;
    r.user_id = request.user;
    r.status = ReservationStatus::Held;
    r.seat_ids = request.seat_ids;
    std::sort(r.seat_ids.begin(), r.seat_ids.end());
    r.amount = amount;
    r.created_at = now;
    r.expires_at = now + ctx_.settings.hold_ttl;
    r.idempotency_key = request.idempotency_key;
    r.version = 1;
    const auto id = tx.insert_reservation(r);
    // The key already made a reservation whose stored answer is gone (purged, or
    // a caller without one): the same key cannot make a second.
    if (!id) return fail(ErrorCode::KeyReused, "this Idempotency-Key already made another reservation");
    r.id = *id;
    // The database decides: only rows still AVAILABLE change. Fewer rows than
    // asked means someone else won a seat; the error rolls everything back.
    if (tx.hold_seats(request.schedule_id, r.seat_ids, r.id, r.expires_at) != static_cast<int>(r.seat_ids.size())) {
      return fail(ErrorCode::SeatTaken, "one of the seats was just taken");
    }
    record(tx, r, "ReservationHeld", now);
    settle_key(key, tx, domain::Result<domain::Reservation>(r));
    return r;
  });
  if (held) {
    ctx_.seat_maps.invalidate(request.schedule_id);
    ctx_.kpis.holds_created.inc();
  }
  return held;
}

domain::Result<domain::Reservation> Reservations::get(const domain::UserId& user, domain::Id reservation_id) {
  auto r = ctx_.store.begin(ports::TxMode::Read)->find_reservation(reservation_id);
  if (!r || r->user_id != user) return fail(ErrorCode::NotFound, "no reservation " + std::to_string(reservation_id));
  return *r;
}

domain::Result<domain::Reservation> Reservations::cancel(const domain::UserId& user, domain::Id reservation_id) {
  const auto now = ctx_.clock.now();
  auto cancelled =
      in_transaction(ctx_.store, ports::TxMode::Write, [&](ports::Tx& tx) -> domain::Result<domain::Reservation> {
        auto r = tx.find_reservation(reservation_id);
        if (!r || r->user_id != user) return fail(ErrorCode::NotFound, "no reservation " + std::to_string(reservation_id));
        if (r->status != ReservationStatus::Held) {
          return fail(ErrorCode::InvalidState, "only a HELD reservation can be cancelled; this one is " +
                                                   std::string(to_string(r->status)));
        }
        if (r->pending_payment_id) return fail(ErrorCode::PaymentInProgress, "a payment for it is in progress");
        if (!tx.transition_reservation(r->id, ReservationStatus::Held, ReservationStatus::Cancelled)) {
          return fail(ErrorCode::InvalidState, "the reservation changed meanwhile");
        }
        tx.release_seats(r->id, domain::SeatStatus::Held);
        r->status = ReservationStatus::Cancelled;
        ++r->version;
        record(tx, *r, "ReservationCancelled", now);
        return *r;
      });
  if (cancelled) ctx_.seat_maps.invalidate(cancelled->schedule_id);
  return cancelled;
}

}  // namespace concert::app
