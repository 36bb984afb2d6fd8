// ports::Tx over one pooled SQLite connection. Rolls back in its destructor
// unless committed, then hands the connection (and the writer lock) back.
#pragma once

#include <functional>
#include <mutex>

#include "adapters/sqlite/connection.hpp"
#include "ports/store.hpp"

namespace concert::adapters::sqlite {

class SqliteTx final : public ports::Tx {
 public:
  SqliteTx(Connection& conn, ports::TxMode mode, std::unique_lock<std::timed_mutex> writer,
           std::function<void()> release);
  ~SqliteTx() override;

  void commit() override;

  domain::Id insert_concert(const std::string& title) override;
  std::optional<domain::Concert> find_concert(domain::Id id) override;
  std::vector<domain::Concert> list_concerts() override;
  domain::Id insert_schedule(const domain::Schedule& s) override;
  void insert_seats(domain::Id schedule_id, std::span<const ports::NewSeat> seats) override;
  std::optional<domain::Schedule> find_schedule(domain::Id id) override;
  std::vector<domain::Schedule> list_schedules(domain::Id concert_id) override;
  std::vector<domain::Schedule> list_all_schedules() override;
  void update_queue_settings(domain::Id schedule_id, const domain::QueueSettings& q) override;
  bool has_any_concert() override;

  std::vector<domain::Seat> list_seats(domain::Id schedule_id) override;
  std::vector<domain::Seat> find_seats(domain::Id schedule_id, std::span<const domain::Id> ids) override;
  int hold_seats(domain::Id schedule_id, std::span<const domain::Id> ids, domain::Id reservation_id,
                 domain::TimePoint expires_at) override;
  int sell_held_seats(domain::Id reservation_id) override;
  int retake_seats(std::span<const domain::Id> ids, domain::Id reservation_id) override;
  int release_seats(domain::Id reservation_id, domain::SeatStatus from) override;

  domain::Id insert_reservation(const domain::Reservation& r) override;
  std::optional<domain::Reservation> find_reservation(domain::Id id) override;
  std::optional<domain::Reservation> find_reservation_by_key(const domain::UserId& user,
                                                             const std::string& idempotency_key) override;
  int count_live_seats(domain::Id schedule_id, const domain::UserId& user) override;
  bool transition_reservation(domain::Id id, domain::ReservationStatus from, domain::ReservationStatus to) override;
  bool claim_for_payment(domain::Id reservation_id, domain::Id payment_id) override;
  void clear_payment_claim(domain::Id reservation_id, domain::Id payment_id) override;
  std::vector<domain::Id> find_expired_holds(domain::TimePoint now, int limit) override;

  domain::Id insert_payment(const domain::Payment& p) override;
  std::optional<domain::Payment> find_payment(domain::Id id) override;
  std::optional<domain::Payment> find_payment_by_key(const domain::UserId& user,
                                                     const std::string& idempotency_key) override;
  std::vector<domain::Payment> list_payments_for(domain::Id reservation_id) override;
  bool transition_payment(domain::Id id, domain::PaymentStatus from, domain::PaymentStatus to,
                          const std::optional<std::string>& gateway_tx_id, domain::TimePoint now) override;

  bool try_insert_idempotency(const ports::IdempotencyRecord& r) override;
  std::optional<ports::IdempotencyRecord> find_idempotency(const domain::UserId& user, const std::string& scope,
                                                           const std::string& key) override;
  void complete_idempotency(const domain::UserId& user, const std::string& scope, const std::string& key, int status,
                            const std::string& body) override;
  void delete_idempotency(const domain::UserId& user, const std::string& scope, const std::string& key) override;
  int purge_idempotency(domain::TimePoint before, int limit) override;

  void append_event(const domain::NewEvent& e, domain::TimePoint now) override;
  std::vector<domain::OutboxEvent> unpublished_events(int limit) override;
  void mark_published(std::span<const domain::Id> event_ids) override;

  std::vector<domain::Reservation> list_reservations(domain::Id schedule_id) override;
  std::vector<domain::Payment> list_payments_of_schedule(domain::Id schedule_id) override;
  std::vector<domain::OutboxEvent> list_events(domain::Id after_id, int limit) override;

 private:
  std::vector<domain::Id> seat_ids_of(domain::Id reservation_id);

  Connection& conn_;
  std::unique_lock<std::timed_mutex> writer_;
  std::function<void()> release_;
  bool finished_ = false;
};

}  // namespace concert::adapters::sqlite
