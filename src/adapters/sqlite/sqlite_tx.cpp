#include "adapters/sqlite/sqlite_tx.hpp"

#include <chrono>
#include <map>

#include "adapters/sqlite/rows.hpp"
#include "adapters/sqlite/sql.hpp"

namespace concert::adapters::sqlite {

using domain::Id;

namespace {

std::int64_t ms(domain::TimePoint t) { return t.time_since_epoch().count(); }

template <typename T, typename Map>
std::vector<T> collect(Statement& st, Map map) {
  std::vector<T> out;
  while (st.step()) out.push_back(map(st));
  return out;
}

template <typename T, typename Map>
std::optional<T> first(Statement& st, Map map) {
  if (!st.step()) return std::nullopt;
  return map(st);
}

}  // namespace

SqliteTx::SqliteTx(Connection& conn, ports::TxMode mode, std::unique_lock<std::timed_mutex> writer,
                   std::function<void()> release)
    : conn_(conn), writer_(std::move(writer)), release_(std::move(release)) {
  try {
    conn_.exec(mode == ports::TxMode::Write ? "BEGIN IMMEDIATE" : "BEGIN");
  } catch (...) {
    release_();
    throw;
  }
}

SqliteTx::~SqliteTx() {
  if (!finished_) {
    try {
      conn_.exec("ROLLBACK");
    } catch (const std::exception&) {
      // The transaction is gone either way; SQLite rolls back on its own.
    }
  }
  writer_ = {};
  release_();
}

void SqliteTx::commit() {
  conn_.exec("COMMIT");
  finished_ = true;
}

// --- catalogue ----------------------------------------------------------------

Id SqliteTx::insert_concert(const std::string& title) {
  auto st = conn_.prepare(sql::kInsertConcert);
  st.bind_all(title).run();
  return st.last_insert_id();
}

std::optional<domain::Concert> SqliteTx::find_concert(Id id) {
  auto st = conn_.prepare(sql::kFindConcert);
  st.bind_all(id);
  return first<domain::Concert>(st, [](const Statement& s) { return domain::Concert{s.int64(0), s.text(1)}; });
}

std::vector<domain::Concert> SqliteTx::list_concerts() {
  auto st = conn_.prepare(sql::kListConcerts);
  return collect<domain::Concert>(st, [](const Statement& s) { return domain::Concert{s.int64(0), s.text(1)}; });
}

bool SqliteTx::has_any_concert() { return conn_.prepare(sql::kAnyConcert).step(); }

Id SqliteTx::insert_schedule(const domain::Schedule& s) {
  auto st = conn_.prepare(sql::kInsertSchedule);
  st.bind_all(s.concert_id, ms(s.starts_at), ms(s.sales_open_at), ms(s.sales_close_at), s.queue.admit_per_second,
              s.queue.max_active, s.queue.active_ttl_seconds, s.queue.waiting_idle_ttl_seconds, s.max_seats_per_user)
      .run();
  return st.last_insert_id();
}

void SqliteTx::insert_seats(Id schedule_id, std::span<const ports::NewSeat> seats) {
  for (const auto& seat : seats) {
    auto st = conn_.prepare(sql::kInsertSeat);
    st.bind_all(schedule_id, seat.section, seat.row, seat.number, seat.grade, seat.price).run();
  }
}

std::optional<domain::Schedule> SqliteTx::find_schedule(Id id) {
  auto st = conn_.prepare(sql::kFindSchedule);
  st.bind_all(id);
  return first<domain::Schedule>(st, schedule_from);
}

std::vector<domain::Schedule> SqliteTx::list_schedules(Id concert_id) {
  auto st = conn_.prepare(sql::kListSchedules);
  st.bind_all(concert_id);
  return collect<domain::Schedule>(st, schedule_from);
}

std::vector<domain::Schedule> SqliteTx::list_all_schedules() {
  auto st = conn_.prepare(sql::kListAllSchedules);
  return collect<domain::Schedule>(st, schedule_from);
}

void SqliteTx::update_queue_settings(Id schedule_id, const domain::QueueSettings& q) {
  auto st = conn_.prepare(sql::kUpdateQueueSettings);
  st.bind_all(q.admit_per_second, q.max_active, q.active_ttl_seconds, q.waiting_idle_ttl_seconds, schedule_id).run();
}

// --- seats ---------------------------------------------------------------------

std::vector<domain::Seat> SqliteTx::list_seats(Id schedule_id) {
  auto st = conn_.prepare(sql::kListSeats);
  st.bind_all(schedule_id);
  return collect<domain::Seat>(st, seat_from);
}

std::vector<domain::Seat> SqliteTx::find_seats(Id schedule_id, std::span<const Id> ids) {
  auto st = conn_.prepare(sql::kFindSeats);
  st.bind_all(schedule_id, json_id_list(ids));
  return collect<domain::Seat>(st, seat_from);
}

int SqliteTx::hold_seats(Id schedule_id, std::span<const Id> ids, Id reservation_id, domain::TimePoint expires_at) {
  auto st = conn_.prepare(sql::kHoldSeats);
  st.bind_all(reservation_id, ms(expires_at), schedule_id, json_id_list(ids)).run();
  return st.changes();
}

int SqliteTx::sell_held_seats(Id reservation_id) {
  auto st = conn_.prepare(sql::kSellHeldSeats);
  st.bind_all(reservation_id).run();
  return st.changes();
}

int SqliteTx::retake_seats(std::span<const Id> ids, Id reservation_id) {
  auto st = conn_.prepare(sql::kRetakeSeats);
  st.bind_all(reservation_id, json_id_list(ids)).run();
  return st.changes();
}

int SqliteTx::release_seats(Id reservation_id, domain::SeatStatus from) {
  auto st = conn_.prepare(sql::kReleaseSeats);
  st.bind_all(reservation_id, to_string(from)).run();
  return st.changes();
}

// --- reservations --------------------------------------------------------------------

Id SqliteTx::insert_reservation(const domain::Reservation& r) {
  auto st = conn_.prepare(sql::kInsertReservation);
  st.bind_all(r.schedule_id, r.user_id, to_string(r.status), r.amount, ms(r.created_at), ms(r.expires_at),
              r.idempotency_key, r.version)
      .run();
  const Id id = st.last_insert_id();
  for (auto seat : r.seat_ids) {
    auto link = conn_.prepare(sql::kInsertReservationSeat);
    link.bind_all(id, seat).run();
  }
  return id;
}

std::vector<Id> SqliteTx::seat_ids_of(Id reservation_id) {
  auto st = conn_.prepare(sql::kReservationSeats);
  st.bind_all(reservation_id);
  return collect<Id>(st, [](const Statement& s) { return s.int64(0); });
}

std::optional<domain::Reservation> SqliteTx::find_reservation(Id id) {
  std::optional<domain::Reservation> r;
  {
    auto st = conn_.prepare(sql::kFindReservation);
    st.bind_all(id);
    r = first<domain::Reservation>(st, reservation_from);
  }
  if (r) r->seat_ids = seat_ids_of(r->id);
  return r;
}

std::optional<domain::Reservation> SqliteTx::find_reservation_by_key(const domain::UserId& user,
                                                                     const std::string& idempotency_key) {
  std::optional<domain::Reservation> r;
  {
    auto st = conn_.prepare(sql::kFindReservationByKey);
    st.bind_all(user, idempotency_key);
    r = first<domain::Reservation>(st, reservation_from);
  }
  if (r) r->seat_ids = seat_ids_of(r->id);
  return r;
}

int SqliteTx::count_live_seats(Id schedule_id, const domain::UserId& user) {
  auto st = conn_.prepare(sql::kCountLiveSeats);
  st.bind_all(schedule_id, user);
  return st.step() ? static_cast<int>(st.int64(0)) : 0;
}

bool SqliteTx::transition_reservation(Id id, domain::ReservationStatus from, domain::ReservationStatus to) {
  auto st = conn_.prepare(sql::kTransitionReservation);
  st.bind_all(to_string(to), id, to_string(from)).run();
  return st.changes() == 1;
}

bool SqliteTx::claim_for_payment(Id reservation_id, Id payment_id) {
  auto st = conn_.prepare(sql::kClaimForPayment);
  st.bind_all(payment_id, reservation_id, payment_id).run();
  return st.changes() == 1;
}

void SqliteTx::clear_payment_claim(Id reservation_id, Id payment_id) {
  auto st = conn_.prepare(sql::kClearPaymentClaim);
  st.bind_all(reservation_id, payment_id).run();
}

std::vector<Id> SqliteTx::find_expired_holds(domain::TimePoint now, int limit) {
  auto st = conn_.prepare(sql::kExpiredHolds);
  st.bind_all(ms(now), limit);
  return collect<Id>(st, [](const Statement& s) { return s.int64(0); });
}

// --- payments ----------------------------------------------------------------------

Id SqliteTx::insert_payment(const domain::Payment& p) {
  auto st = conn_.prepare(sql::kInsertPayment);
  st.bind_all(p.reservation_id, p.user_id, p.amount, to_string(p.status), p.idempotency_key, ms(p.created_at),
              ms(p.updated_at), p.version)
      .run();
  return st.last_insert_id();
}

std::optional<domain::Payment> SqliteTx::find_payment(Id id) {
  auto st = conn_.prepare(sql::kFindPayment);
  st.bind_all(id);
  return first<domain::Payment>(st, payment_from);
}

std::optional<domain::Payment> SqliteTx::find_payment_by_key(const domain::UserId& user,
                                                             const std::string& idempotency_key) {
  auto st = conn_.prepare(sql::kFindPaymentByKey);
  st.bind_all(user, idempotency_key);
  return first<domain::Payment>(st, payment_from);
}

std::vector<domain::Payment> SqliteTx::list_payments_for(Id reservation_id) {
  auto st = conn_.prepare(sql::kPaymentsForReservation);
  st.bind_all(reservation_id);
  return collect<domain::Payment>(st, payment_from);
}

bool SqliteTx::transition_payment(Id id, domain::PaymentStatus from, domain::PaymentStatus to,
                                  const std::optional<std::string>& gateway_tx_id, domain::TimePoint now) {
  auto st = conn_.prepare(sql::kTransitionPayment);
  st.bind_all(to_string(to), gateway_tx_id, ms(now), id, to_string(from)).run();
  return st.changes() == 1;
}

// --- idempotency -------------------------------------------------------------------

bool SqliteTx::try_insert_idempotency(const ports::IdempotencyRecord& r) {
  auto st = conn_.prepare(sql::kInsertIdempotency);
  st.bind_all(r.user_id, r.scope, r.key, r.request_hash, ms(r.created_at)).run();
  return st.changes() == 1;
}

std::optional<ports::IdempotencyRecord> SqliteTx::find_idempotency(const domain::UserId& user, const std::string& scope,
                                                                   const std::string& key) {
  auto st = conn_.prepare(sql::kFindIdempotency);
  st.bind_all(user, scope, key);
  return first<ports::IdempotencyRecord>(st, [](const Statement& s) {
    return ports::IdempotencyRecord{s.text(0),   s.text(1),
                                    s.text(2),   s.text(3),
                                    s.int64(4) != 0, static_cast<int>(s.int64(5)),
                                    s.text(6),   time_from(s.int64(7))};
  });
}

void SqliteTx::complete_idempotency(const domain::UserId& user, const std::string& scope, const std::string& key,
                                    int status, const std::string& body) {
  auto st = conn_.prepare(sql::kCompleteIdempotency);
  st.bind_all(status, body, user, scope, key).run();
}

void SqliteTx::delete_idempotency(const domain::UserId& user, const std::string& scope, const std::string& key) {
  auto st = conn_.prepare(sql::kDeleteIdempotency);
  st.bind_all(user, scope, key).run();
}

int SqliteTx::purge_idempotency(domain::TimePoint before, int limit) {
  auto st = conn_.prepare(sql::kPurgeIdempotency);
  st.bind_all(ms(before), limit).run();
  return st.changes();
}

// --- outbox ------------------------------------------------------------------------

void SqliteTx::append_event(const domain::NewEvent& e, domain::TimePoint now) {
  auto st = conn_.prepare(sql::kInsertEvent);
  st.bind_all(domain::event_id_of(e), e.aggregate_type, e.aggregate_id, e.aggregate_version, e.event_type, e.payload,
              ms(now))
      .run();
}

std::vector<domain::OutboxEvent> SqliteTx::unpublished_events(int limit) {
  auto st = conn_.prepare(sql::kUnpublishedEvents);
  st.bind_all(limit);
  return collect<domain::OutboxEvent>(st, event_from);
}

void SqliteTx::mark_published(std::span<const Id> event_ids) {
  // Publication time is bookkeeping for operators, not domain time: the wall clock is right here.
  const auto now = std::chrono::time_point_cast<domain::Millis>(std::chrono::system_clock::now());
  auto st = conn_.prepare(sql::kMarkPublished);
  st.bind_all(ms(now), json_id_list(event_ids)).run();
}

// --- audit -------------------------------------------------------------------------

std::vector<domain::Reservation> SqliteTx::list_reservations(Id schedule_id) {
  std::vector<domain::Reservation> out;
  {
    auto st = conn_.prepare(sql::kListReservations);
    st.bind_all(schedule_id);
    out = collect<domain::Reservation>(st, reservation_from);
  }
  std::map<Id, std::vector<Id>> seats;
  auto st = conn_.prepare(sql::kScheduleReservationSeats);
  st.bind_all(schedule_id);
  while (st.step()) seats[st.int64(0)].push_back(st.int64(1));
  for (auto& r : out) r.seat_ids = seats[r.id];
  return out;
}

std::vector<domain::Payment> SqliteTx::list_payments_of_schedule(Id schedule_id) {
  auto st = conn_.prepare(sql::kPaymentsOfSchedule);
  st.bind_all(schedule_id);
  return collect<domain::Payment>(st, payment_from);
}

std::vector<domain::OutboxEvent> SqliteTx::list_events(Id after_id, int limit) {
  auto st = conn_.prepare(sql::kListEvents);
  st.bind_all(after_id, limit);
  return collect<domain::OutboxEvent>(st, event_from);
}

}  // namespace concert::adapters::sqlite
