// ports::Tx written once for every SQL adapter. A Connection provides
// exec(text) and prepare(text) -> a statement with bind_all / run / step /
// column getters / changes / last_insert_id, and begins_transactions_implicitly()
// (autocommit off: no BEGIN to send); the Dialect provides the SQL text.
// Rolls back in its destructor unless committed.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "adapters/sql/dialect.hpp"
#include "adapters/sql/rows.hpp"
#include "ports/store.hpp"

namespace concert::adapters::sql {

using domain::Id;

template <typename Connection>
class SqlTx final : public ports::Tx {
 public:
  // `release` runs when the transaction ends, whatever the outcome.
  SqlTx(Connection& conn, const Dialect& sql, ports::TxMode mode, std::function<void()> release);
  ~SqlTx() override;

  void commit_changes() override;

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

  std::optional<domain::Id> insert_reservation(const domain::Reservation& r) override;
  std::optional<domain::Reservation> find_reservation(domain::Id id) override;
  std::optional<domain::Reservation> find_reservation_by_key(const domain::UserId& user,
                                                             const std::string& idempotency_key) override;
  void lock_fan(domain::Id schedule_id, const domain::UserId& user) override;
  ports::SeatsToHold find_seats_to_hold(domain::Id schedule_id, std::span<const domain::Id> ids,
                                        const domain::UserId& user) override;
  bool transition_reservation(domain::Id id, domain::ReservationStatus from, domain::ReservationStatus to) override;
  bool claim_for_payment(domain::Id reservation_id, domain::Id payment_id) override;
  void clear_payment_claim(domain::Id reservation_id, domain::Id payment_id) override;
  bool mark_paid(domain::Id reservation_id, domain::Id payment_id) override;
  std::vector<domain::Id> find_expired_holds(domain::TimePoint now, int limit) override;

  std::optional<domain::Id> insert_payment(const domain::Payment& p) override;
  std::optional<domain::Payment> find_payment(domain::Id id) override;
  std::optional<domain::Payment> find_payment_by_key(const domain::UserId& user,
                                                     const std::string& idempotency_key) override;
  std::vector<domain::Payment> list_payments_for(domain::Id reservation_id) override;
  std::vector<domain::Payment> list_payments_in(domain::PaymentStatus status, domain::TimePoint updated_before,
                                                int limit) override;
  bool transition_payment(domain::Id id, domain::PaymentStatus from, domain::PaymentStatus to,
                          const std::optional<std::string>& gateway_tx_id, domain::TimePoint now) override;

  bool try_insert_idempotency(const ports::IdempotencyRecord& r) override;
  std::optional<ports::IdempotencyRecord> find_idempotency(const domain::UserId& user, const std::string& scope,
                                                           const std::string& key) override;
  void complete_idempotency(const domain::UserId& user, const std::string& scope, const std::string& key, int status,
                            const std::string& body) override;
  void delete_idempotency(const domain::UserId& user, const std::string& scope, const std::string& key) override;
  int purge_idempotency(domain::TimePoint before, int limit) override;
  void heartbeat(const std::string& instance_id, domain::TimePoint now) override;
  std::optional<domain::TimePoint> last_heartbeat(const std::string& instance_id) override;
  void forget_heartbeats(domain::TimePoint before) override;

  void append_event(const domain::NewEvent& e, domain::TimePoint now) override;
  std::vector<domain::OutboxEvent> unpublished_events(int limit) override;
  void mark_published(std::span<const domain::Id> event_ids) override;

  std::vector<domain::Reservation> list_reservations(domain::Id schedule_id) override;
  std::vector<domain::Payment> list_payments_of_schedule(domain::Id schedule_id) override;
  std::vector<domain::OutboxEvent> list_events(domain::Id after_id, int limit) override;
  ports::SaleTotals sale_totals() override;

 private:
  Connection& conn_;
  const Dialect& sql_;
  ports::TxMode mode_;
  std::function<void()> release_;
  bool finished_ = false;
};

namespace detail {
template <typename T, typename Stmt, typename Map>
std::vector<T> collect(Stmt& st, Map map) {
  std::vector<T> out;
  while (st.step()) out.push_back(map(st));
  return out;
}

template <typename T, typename Stmt, typename Map>
std::optional<T> first(Stmt& st, Map map) {
  if (!st.step()) return std::nullopt;
  return map(st);
}

}  // namespace detail

template <typename Connection>
SqlTx<Connection>::SqlTx(Connection& conn, const Dialect& sql, ports::TxMode mode, std::function<void()> release)
    : conn_(conn), sql_(sql), mode_(mode), release_(std::move(release)) {
  try {
    if (!conn_.begins_transactions_implicitly()) {
      conn_.exec(mode == ports::TxMode::Write ? sql_.begin_write : sql_.begin_read);
    }
  } catch (...) {
    release_();
    throw;
  }
}

template <typename Connection>
SqlTx<Connection>::~SqlTx() {
  if (!finished_) {
    try {
      conn_.exec("ROLLBACK");
    } catch (const std::exception&) {
      // The transaction is gone either way: the database rolls back a dropped one.
    }
  }
  release_();
}

template <typename Connection>
void SqlTx<Connection>::commit_changes() {
  conn_.exec("COMMIT");
  finished_ = true;
}

// --- catalogue ----------------------------------------------------------------

template <typename Connection>
Id SqlTx<Connection>::insert_concert(const std::string& title) {
  auto st = conn_.prepare(sql_.insert_concert);
  st.bind_all(title).run();
  return st.last_insert_id();
}

template <typename Connection>
std::optional<domain::Concert> SqlTx<Connection>::find_concert(Id id) {
  auto st = conn_.prepare(sql_.find_concert);
  st.bind_all(id);
  return detail::first<domain::Concert>(st, [](const auto& s) { return domain::Concert{s.int64(0), s.text(1)}; });
}

template <typename Connection>
std::vector<domain::Concert> SqlTx<Connection>::list_concerts() {
  auto st = conn_.prepare(sql_.list_concerts);
  return detail::collect<domain::Concert>(st, [](const auto& s) { return domain::Concert{s.int64(0), s.text(1)}; });
}

template <typename Connection>
bool SqlTx<Connection>::has_any_concert() {
  return conn_.prepare(sql_.any_concert).step();
}

template <typename Connection>
Id SqlTx<Connection>::insert_schedule(const domain::Schedule& s) {
  auto st = conn_.prepare(sql_.insert_schedule);
  st.bind_all(s.concert_id, ms(s.starts_at), ms(s.sales_open_at), ms(s.sales_close_at), s.queue.admit_per_second,
              s.queue.max_active, s.queue.active_ttl_seconds, s.queue.waiting_idle_ttl_seconds, s.max_seats_per_user)
      .run();
  return st.last_insert_id();
}

template <typename Connection>
void SqlTx<Connection>::insert_seats(Id schedule_id, std::span<const ports::NewSeat> seats) {
  for (const auto& seat : seats) {
    auto st = conn_.prepare(sql_.insert_seat);
    st.bind_all(schedule_id, seat.section, seat.row, seat.number, seat.grade, seat.price).run();
  }
}

template <typename Connection>
std::optional<domain::Schedule> SqlTx<Connection>::find_schedule(Id id) {
  auto st = conn_.prepare(sql_.find_schedule);
  st.bind_all(id);
  return detail::first<domain::Schedule>(st, [](const auto& r) { return schedule_from(r); });
}

template <typename Connection>
std::vector<domain::Schedule> SqlTx<Connection>::list_schedules(Id concert_id) {
  auto st = conn_.prepare(sql_.list_schedules);
  st.bind_all(concert_id);
  return detail::collect<domain::Schedule>(st, [](const auto& r) { return schedule_from(r); });
}

template <typename Connection>
std::vector<domain::Schedule> SqlTx<Connection>::list_all_schedules() {
  auto st = conn_.prepare(sql_.list_all_schedules);
  return detail::collect<domain::Schedule>(st, [](const auto& r) { return schedule_from(r); });
}

template <typename Connection>
void SqlTx<Connection>::update_queue_settings(Id schedule_id, const domain::QueueSettings& q) {
  auto st = conn_.prepare(sql_.update_queue_settings);
  st.bind_all(q.admit_per_second, q.max_active, q.active_ttl_seconds, q.waiting_idle_ttl_seconds, schedule_id).run();
}

// --- seats ---------------------------------------------------------------------

template <typename Connection>
std::vector<domain::Seat> SqlTx<Connection>::list_seats(Id schedule_id) {
  auto st = conn_.prepare(sql_.list_seats);
  st.bind_all(schedule_id);
  return detail::collect<domain::Seat>(st, [](const auto& r) { return seat_from(r); });
}

template <typename Connection>
std::vector<domain::Seat> SqlTx<Connection>::find_seats(Id schedule_id, std::span<const Id> ids) {
  auto st = conn_.prepare(sql_.find_seats);
  st.bind_all(schedule_id, json_id_list(ids));
  return detail::collect<domain::Seat>(st, [](const auto& r) { return seat_from(r); });
}

template <typename Connection>
int SqlTx<Connection>::hold_seats(Id schedule_id, std::span<const Id> ids, Id reservation_id,
                                  domain::TimePoint expires_at) {
  auto st = conn_.prepare(sql_.hold_seats);
  st.bind_all(json_id_list(ids), reservation_id, ms(expires_at), schedule_id).run();
  return st.changes();
}

template <typename Connection>
int SqlTx<Connection>::sell_held_seats(Id reservation_id) {
  auto st = conn_.prepare(sql_.sell_held_seats);
  st.bind_all(reservation_id).run();
  return st.changes();
}

template <typename Connection>
int SqlTx<Connection>::retake_seats(std::span<const Id> ids, Id reservation_id) {
  auto st = conn_.prepare(sql_.retake_seats);
  st.bind_all(json_id_list(ids), reservation_id).run();
  return st.changes();
}

template <typename Connection>
int SqlTx<Connection>::release_seats(Id reservation_id, domain::SeatStatus from) {
  auto st = conn_.prepare(sql_.release_seats);
  st.bind_all(reservation_id, to_string(from)).run();
  return st.changes();
}

// --- reservations --------------------------------------------------------------------

template <typename Connection>
std::optional<Id> SqlTx<Connection>::insert_reservation(const domain::Reservation& r) {
  auto st = conn_.prepare(sql_.insert_reservation);
  st.bind_all(r.schedule_id, r.user_id, to_string(r.status), r.amount, ms(r.created_at), ms(r.expires_at),
              r.idempotency_key, r.version)
      .run();
  if (st.changes() == 0) return std::nullopt;
  const Id id = st.last_insert_id();
  for (auto seat : r.seat_ids) {
    auto link = conn_.prepare(sql_.insert_reservation_seat);
    link.bind_all(id, seat).run();
  }
  return id;
}

template <typename Connection>
std::optional<domain::Reservation> SqlTx<Connection>::find_reservation(Id id) {
  auto st = conn_.prepare(mode_ == ports::TxMode::Write ? sql_.find_reservation_locked : sql_.find_reservation);
  st.bind_all(id);
  return detail::first<domain::Reservation>(st, [](const auto& r) { return reservation_with_seats_from(r); });
}

template <typename Connection>
std::optional<domain::Reservation> SqlTx<Connection>::find_reservation_by_key(const domain::UserId& user,
                                                                              const std::string& idempotency_key) {
  auto st = conn_.prepare(sql_.find_reservation_by_key);
  st.bind_all(user, idempotency_key);
  return detail::first<domain::Reservation>(st, [](const auto& r) { return reservation_with_seats_from(r); });
}

template <typename Connection>
void SqlTx<Connection>::lock_fan(Id schedule_id, const domain::UserId& user) {
  if (sql_.lock_fan.empty()) return;  // the dialect's writer lock already serialises
  auto st = conn_.prepare(sql_.lock_fan);
  st.bind_all(schedule_id, user).run();
}

template <typename Connection>
ports::SeatsToHold SqlTx<Connection>::find_seats_to_hold(Id schedule_id, std::span<const Id> ids,
                                                         const domain::UserId& user) {
  auto st = conn_.prepare(sql_.find_seats_to_hold);
  st.bind_all(schedule_id, user, schedule_id, json_id_list(ids));
  ports::SeatsToHold found;
  while (st.step()) {
    found.seats.push_back(seat_from(st));
    found.live_seats = static_cast<int>(st.int64(11));  // the same on every row
  }
  return found;
}

template <typename Connection>
bool SqlTx<Connection>::transition_reservation(Id id, domain::ReservationStatus from, domain::ReservationStatus to) {
  auto st = conn_.prepare(sql_.transition_reservation);
  st.bind_all(to_string(to), id, to_string(from)).run();
  return st.changes() == 1;
}

template <typename Connection>
bool SqlTx<Connection>::claim_for_payment(Id reservation_id, Id payment_id) {
  auto st = conn_.prepare(sql_.claim_for_payment);
  st.bind_all(payment_id, reservation_id, payment_id).run();
  return st.changes() == 1;
}

template <typename Connection>
void SqlTx<Connection>::clear_payment_claim(Id reservation_id, Id payment_id) {
  auto st = conn_.prepare(sql_.clear_payment_claim);
  st.bind_all(reservation_id, payment_id).run();
}

template <typename Connection>
bool SqlTx<Connection>::mark_paid(Id reservation_id, Id payment_id) {
  auto st = conn_.prepare(sql_.mark_paid);
  st.bind_all(reservation_id, payment_id).run();
  return st.changes() == 1;
}

template <typename Connection>
std::vector<Id> SqlTx<Connection>::find_expired_holds(domain::TimePoint now, int limit) {
  auto st = conn_.prepare(sql_.expired_holds_locked);
  st.bind_all(ms(now), limit);
  return detail::collect<Id>(st, [](const auto& s) { return s.int64(0); });
}

// --- payments ----------------------------------------------------------------------

template <typename Connection>
std::optional<Id> SqlTx<Connection>::insert_payment(const domain::Payment& p) {
  auto st = conn_.prepare(sql_.insert_payment);
  st.bind_all(p.reservation_id, p.user_id, p.amount, to_string(p.status), p.idempotency_key, ms(p.created_at),
              ms(p.updated_at), p.version)
      .run();
  if (st.changes() == 0) return std::nullopt;
  return st.last_insert_id();
}

template <typename Connection>
std::optional<domain::Payment> SqlTx<Connection>::find_payment(Id id) {
  auto st = conn_.prepare(sql_.find_payment);
  st.bind_all(id);
  return detail::first<domain::Payment>(st, [](const auto& r) { return payment_from(r); });
}

template <typename Connection>
std::optional<domain::Payment> SqlTx<Connection>::find_payment_by_key(const domain::UserId& user,
                                                                      const std::string& idempotency_key) {
  auto st = conn_.prepare(sql_.find_payment_by_key);
  st.bind_all(user, idempotency_key);
  return detail::first<domain::Payment>(st, [](const auto& r) { return payment_from(r); });
}

template <typename Connection>
std::vector<domain::Payment> SqlTx<Connection>::list_payments_for(Id reservation_id) {
  auto st = conn_.prepare(sql_.payments_for_reservation);
  st.bind_all(reservation_id);
  return detail::collect<domain::Payment>(st, [](const auto& r) { return payment_from(r); });
}

template <typename Connection>
std::vector<domain::Payment> SqlTx<Connection>::list_payments_in(domain::PaymentStatus status,
                                                                 domain::TimePoint updated_before, int limit) {
  auto st = conn_.prepare(sql_.payments_in_status);
  st.bind_all(to_string(status), ms(updated_before), limit);
  return detail::collect<domain::Payment>(st, [](const auto& r) { return payment_from(r); });
}

template <typename Connection>
bool SqlTx<Connection>::transition_payment(Id id, domain::PaymentStatus from, domain::PaymentStatus to,
                                           const std::optional<std::string>& gateway_tx_id, domain::TimePoint now) {
  auto st = conn_.prepare(sql_.transition_payment);
  st.bind_all(to_string(to), gateway_tx_id, ms(now), id, to_string(from)).run();
  return st.changes() == 1;
}

// --- idempotency -------------------------------------------------------------------

template <typename Connection>
bool SqlTx<Connection>::try_insert_idempotency(const ports::IdempotencyRecord& r) {
  auto st = conn_.prepare(sql_.insert_idempotency);
  st.bind_all(r.user_id, r.scope, r.key, r.request_hash, ms(r.created_at), r.owner).run();
  return st.changes() == 1;
}

template <typename Connection>
void SqlTx<Connection>::heartbeat(const std::string& instance_id, domain::TimePoint now) {
  conn_.prepare(sql_.heartbeat).bind_all(instance_id, ms(now)).run();
}

template <typename Connection>
std::optional<domain::TimePoint> SqlTx<Connection>::last_heartbeat(const std::string& instance_id) {
  auto st = conn_.prepare(sql_.last_heartbeat);
  st.bind_all(instance_id);
  return detail::first<domain::TimePoint>(st, [](const auto& s) { return time_from(s.int64(0)); });
}

template <typename Connection>
void SqlTx<Connection>::forget_heartbeats(domain::TimePoint before) {
  conn_.prepare(sql_.forget_heartbeats).bind_all(ms(before)).run();
}

template <typename Connection>
std::optional<ports::IdempotencyRecord> SqlTx<Connection>::find_idempotency(const domain::UserId& user,
                                                                            const std::string& scope,
                                                                            const std::string& key) {
  auto st = conn_.prepare(sql_.find_idempotency);
  st.bind_all(user, scope, key);
  return detail::first<ports::IdempotencyRecord>(st, [](const auto& s) {
    return ports::IdempotencyRecord{s.text(0),       s.text(1),
                                    s.text(2),       s.text(3),
                                    s.int64(4) != 0, static_cast<int>(s.int64(5)),
                                    s.text(6),       time_from(s.int64(7)),
                                    s.text(8)};
  });
}

template <typename Connection>
void SqlTx<Connection>::complete_idempotency(const domain::UserId& user, const std::string& scope,
                                             const std::string& key, int status, const std::string& body) {
  auto st = conn_.prepare(sql_.complete_idempotency);
  st.bind_all(status, body, user, scope, key).run();
}

template <typename Connection>
void SqlTx<Connection>::delete_idempotency(const domain::UserId& user, const std::string& scope,
                                           const std::string& key) {
  auto st = conn_.prepare(sql_.delete_idempotency);
  st.bind_all(user, scope, key).run();
}

template <typename Connection>
int SqlTx<Connection>::purge_idempotency(domain::TimePoint before, int limit) {
  auto st = conn_.prepare(sql_.purge_idempotency);
  st.bind_all(ms(before), limit).run();
  return st.changes();
}

// --- outbox ------------------------------------------------------------------------

template <typename Connection>
void SqlTx<Connection>::append_event(const domain::NewEvent& e, domain::TimePoint now) {
  auto st = conn_.prepare(sql_.insert_event);
  const auto trace = e.trace_id.empty() ? std::nullopt : std::optional<std::string>(e.trace_id);
  st.bind_all(domain::event_id_of(e), e.aggregate_type, e.aggregate_id, e.aggregate_version, e.event_type, e.payload,
              ms(now), trace)
      .run();
}

template <typename Connection>
std::vector<domain::OutboxEvent> SqlTx<Connection>::unpublished_events(int limit) {
  auto st = conn_.prepare(sql_.unpublished_events);
  st.bind_all(limit);
  return detail::collect<domain::OutboxEvent>(st, [](const auto& r) { return event_from(r); });
}

template <typename Connection>
void SqlTx<Connection>::mark_published(std::span<const Id> event_ids) {
  // Publication time is bookkeeping for operators, not domain time: the wall clock is right here.
  const auto now = std::chrono::time_point_cast<domain::Millis>(std::chrono::system_clock::now());
  auto st = conn_.prepare(sql_.mark_published);
  st.bind_all(json_id_list(event_ids), ms(now)).run();
}

// --- audit -------------------------------------------------------------------------

template <typename Connection>
std::vector<domain::Reservation> SqlTx<Connection>::list_reservations(Id schedule_id) {
  std::vector<domain::Reservation> out;
  {
    auto st = conn_.prepare(sql_.list_reservations);
    st.bind_all(schedule_id);
    out = detail::collect<domain::Reservation>(st, [](const auto& r) { return reservation_from(r); });
  }
  std::map<Id, std::vector<Id>> seats;
  auto st = conn_.prepare(sql_.schedule_reservation_seats);
  st.bind_all(schedule_id);
  while (st.step()) seats[st.int64(0)].push_back(st.int64(1));
  for (auto& r : out) r.seat_ids = seats[r.id];
  return out;
}

template <typename Connection>
std::vector<domain::Payment> SqlTx<Connection>::list_payments_of_schedule(Id schedule_id) {
  auto st = conn_.prepare(sql_.payments_of_schedule);
  st.bind_all(schedule_id);
  return detail::collect<domain::Payment>(st, [](const auto& r) { return payment_from(r); });
}

template <typename Connection>
std::vector<domain::OutboxEvent> SqlTx<Connection>::list_events(Id after_id, int limit) {
  auto st = conn_.prepare(sql_.list_events);
  st.bind_all(after_id, limit);
  return detail::collect<domain::OutboxEvent>(st, [](const auto& r) { return event_from(r); });
}

template <typename Connection>
ports::SaleTotals SqlTx<Connection>::sale_totals() {
  auto st = conn_.prepare(sql_.sale_totals);
  st.step();
  return {st.int64(0), st.int64(1), st.int64(2), st.int64(3), st.int64(4), st.int64(5)};
}

}  // namespace concert::adapters::sql
