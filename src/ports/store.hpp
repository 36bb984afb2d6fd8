// The transactional store: the source of truth (SPEC §2). Use cases open a Tx,
// issue the small statements below and commit; a Tx destroyed without commit()
// rolls back. Every state change is a conditional UPDATE (WHERE status = ...)
// whose affected-row count tells the caller whether it won the race.
//
// Infrastructure failures are exceptions, not Results: StoreUnavailable (the
// database cannot be reached or is overloaded -> 503) and TxConflict (deadlock,
// serialization failure, busy -> retry the whole transaction).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "domain/events.hpp"
#include "domain/types.hpp"

namespace concert::ports {

struct StoreUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct TxConflict : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What a hold reads before it writes: the seats asked for (unknown ids are absent)
// and how many seats the fan already holds or bought in that schedule.
struct SeatsToHold {
  std::vector<domain::Seat> seats;
  int live_seats = 0;  // over the fan's HELD and PAID reservations; 0 when no seat was found
};

struct NewSeat {
  std::string section;
  std::string row;
  int number = 0;
  std::string grade;
  domain::Money price = 0;
};

// A stored response for an Idempotency-Key (SPEC §4).
struct IdempotencyRecord {
  domain::UserId user_id;
  std::string scope;  // "reservations" | "payments" | "refund"
  std::string key;
  std::string request_hash;
  bool completed = false;  // false while the first request is in flight
  int response_status = 0;
  std::string response_body;
  domain::TimePoint created_at;
  std::string owner;  // the instance that claimed it (empty: claimed before owners were recorded)
};

// Counts over the database's rows, whatever instance made them.
struct SaleTotals {
  std::int64_t holds = 0;              // reservations ever made
  std::int64_t holds_expired = 0;      // of them EXPIRED
  std::int64_t payments_approved = 0;  // APPROVED, refunded or being refunded
  std::int64_t payments_failed = 0;    // DECLINED, FAILED, or voided (a late approval given back)
  std::int64_t events_published = 0;
  std::int64_t events_unpublished = 0;
};

enum class TxMode { Read, Write };

class Tx {
 public:
  virtual ~Tx() = default;
  // Commits, then runs what after_commit() registered, in order.
  void commit() {
    commit_changes();
    for (auto& f : after_commit_) f();
  }
  // `f` runs once this transaction has committed, never if it rolls back: how a
  // helper that wrote inside it learns that its rows are durable.
  void after_commit(std::function<void()> f) { after_commit_.push_back(std::move(f)); }

  // --- catalogue -------------------------------------------------------------
  virtual domain::Id insert_concert(const std::string& title) = 0;
  virtual std::optional<domain::Concert> find_concert(domain::Id id) = 0;
  virtual std::vector<domain::Concert> list_concerts() = 0;
  virtual domain::Id insert_schedule(const domain::Schedule& s) = 0;  // s.id ignored
  virtual void insert_seats(domain::Id schedule_id, std::span<const NewSeat> seats) = 0;
  virtual std::optional<domain::Schedule> find_schedule(domain::Id id) = 0;
  virtual std::vector<domain::Schedule> list_schedules(domain::Id concert_id) = 0;
  virtual std::vector<domain::Schedule> list_all_schedules() = 0;
  virtual void update_queue_settings(domain::Id schedule_id, const domain::QueueSettings& q) = 0;
  virtual bool has_any_concert() = 0;

  // --- seats -----------------------------------------------------------------
  virtual std::vector<domain::Seat> list_seats(domain::Id schedule_id) = 0;
  // Seats of that schedule among ids (unknown ids are simply absent).
  virtual std::vector<domain::Seat> find_seats(domain::Id schedule_id, std::span<const domain::Id> ids) = 0;
  // AVAILABLE -> HELD for every id in schedule; returns rows changed.
  virtual int hold_seats(domain::Id schedule_id, std::span<const domain::Id> ids, domain::Id reservation_id,
                         domain::TimePoint expires_at) = 0;
  // HELD by reservation -> SOLD; returns rows changed.
  virtual int sell_held_seats(domain::Id reservation_id) = 0;
  // AVAILABLE -> SOLD for a late approval retaking exactly these seats; returns rows changed.
  virtual int retake_seats(std::span<const domain::Id> ids, domain::Id reservation_id) = 0;
  // Seats of reservation in status `from` -> AVAILABLE (reservation_id cleared); returns rows.
  virtual int release_seats(domain::Id reservation_id, domain::SeatStatus from) = 0;

  // --- reservations ------------------------------------------------------------
  // Inserts with status HELD, version 1, and its seat list; returns the new id, or
  // nothing when this user's idempotency key already names a reservation (which
  // stays as it is).
  virtual std::optional<domain::Id> insert_reservation(const domain::Reservation& r) = 0;
  virtual std::optional<domain::Reservation> find_reservation(domain::Id id) = 0;
  virtual std::optional<domain::Reservation> find_reservation_by_key(const domain::UserId& user,
                                                                     const std::string& idempotency_key) = 0;
  // Serialises the write transactions of one fan on one schedule until this one
  // ends, so two concurrent holds cannot both pass the seat limit. Call it before
  // any read: on MySQL/MariaDB (REPEATABLE READ) the snapshot is taken at the
  // first read, which must see the previous holder's commit.
  virtual void lock_fan(domain::Id schedule_id, const domain::UserId& user) = 0;
  // find_seats and the fan's live seat count, in one read.
  virtual SeatsToHold find_seats_to_hold(domain::Id schedule_id, std::span<const domain::Id> ids,
                                         const domain::UserId& user) = 0;
  // status from -> to and version+1, only if the row is still `from`; true if it was.
  virtual bool transition_reservation(domain::Id id, domain::ReservationStatus from, domain::ReservationStatus to) = 0;
  // Claims the reservation for one payment: sets pending_payment_id only when it is
  // NULL (or already equal to payment_id) and the reservation is HELD.
  virtual bool claim_for_payment(domain::Id reservation_id, domain::Id payment_id) = 0;
  virtual void clear_payment_claim(domain::Id reservation_id, domain::Id payment_id) = 0;
  // HELD -> PAID for the payment that claimed it, releasing the claim; false if
  // the reservation is no longer HELD (or claimed by another payment).
  virtual bool mark_paid(domain::Id reservation_id, domain::Id payment_id) = 0;
  // HELD reservations whose expires_at <= now, oldest first.
  virtual std::vector<domain::Id> find_expired_holds(domain::TimePoint now, int limit) = 0;

  // --- payments --------------------------------------------------------------
  // Inserts with status PENDING, version 1; returns the new id, or nothing when
  // this user's idempotency key already names a payment (which stays as it is).
  virtual std::optional<domain::Id> insert_payment(const domain::Payment& p) = 0;
  virtual std::optional<domain::Payment> find_payment(domain::Id id) = 0;
  virtual std::optional<domain::Payment> find_payment_by_key(const domain::UserId& user,
                                                             const std::string& idempotency_key) = 0;
  virtual std::vector<domain::Payment> list_payments_for(domain::Id reservation_id) = 0;
  // Payments in `status` last changed before `updated_before`, oldest first (the reconciler's work).
  virtual std::vector<domain::Payment> list_payments_in(domain::PaymentStatus status, domain::TimePoint updated_before,
                                                        int limit) = 0;
  // status from -> to, version+1, gateway tx id set when given; true if it was `from`.
  virtual bool transition_payment(domain::Id id, domain::PaymentStatus from, domain::PaymentStatus to,
                                  const std::optional<std::string>& gateway_tx_id, domain::TimePoint now) = 0;

  // --- idempotency -------------------------------------------------------------
  // Inserts an in-flight record; false if (user, scope, key) exists already.
  virtual bool try_insert_idempotency(const IdempotencyRecord& r) = 0;
  virtual std::optional<IdempotencyRecord> find_idempotency(const domain::UserId& user, const std::string& scope,
                                                            const std::string& key) = 0;
  virtual void complete_idempotency(const domain::UserId& user, const std::string& scope, const std::string& key,
                                    int status, const std::string& body) = 0;
  virtual void delete_idempotency(const domain::UserId& user, const std::string& scope, const std::string& key) = 0;
  // Drops completed records older than `before`; returns rows removed.
  virtual int purge_idempotency(domain::TimePoint before, int limit) = 0;
  // Instance liveness: each serving instance beats every second; a key claimed
  // by an instance whose last beat is old belongs to no one alive.
  virtual void heartbeat(const std::string& instance_id, domain::TimePoint now) = 0;
  virtual std::optional<domain::TimePoint> last_heartbeat(const std::string& instance_id) = 0;
  virtual void forget_heartbeats(domain::TimePoint before) = 0;

  // --- outbox ----------------------------------------------------------------
  virtual void append_event(const domain::NewEvent& e, domain::TimePoint now) = 0;
  virtual std::vector<domain::OutboxEvent> unpublished_events(int limit) = 0;
  virtual void mark_published(std::span<const domain::Id> event_ids) = 0;

  // --- audit (invariant checks, admin tools) ------------------------------------
  virtual std::vector<domain::Reservation> list_reservations(domain::Id schedule_id) = 0;
  virtual std::vector<domain::Payment> list_payments_of_schedule(domain::Id schedule_id) = 0;
  // Every outbox event with id > after_id, published or not, in id order.
  virtual std::vector<domain::OutboxEvent> list_events(domain::Id after_id, int limit) = 0;
  // The whole sale's counts, every instance's work together (/admin/kpis, SPEC §6).
  virtual SaleTotals sale_totals() = 0;

 protected:
  virtual void commit_changes() = 0;

 private:
  std::vector<std::function<void()>> after_commit_;
};

class Store {
 public:
  virtual ~Store() = default;
  virtual std::unique_ptr<Tx> begin(TxMode mode) = 0;
  // True when the database answers a trivial query (readiness probe).
  bool ping() {
    try {
      begin(TxMode::Read)->has_any_concert();
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }
};

}  // namespace concert::ports
