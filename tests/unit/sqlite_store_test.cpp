// The SQLite adapter behind ports::Store: migrations, transactions, the
// conditional seat updates, payment claims, idempotency records, the outbox and
// the connection pool's bounds.
#include "adapters/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "support/temp_dir.hpp"

namespace concert::adapters::sqlite {
namespace {

using namespace std::chrono_literals;
using concert::testing::TempDir;
using domain::Id;
using domain::ReservationStatus;
using domain::SeatStatus;
using ports::TxMode;

const domain::TimePoint t0{domain::Millis(1'800'000'000'000)};

// Runs a query on a separate raw connection and returns the first column of the first row.
long long scalar(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  long long out = -1;
  if (sqlite3_step(st) == SQLITE_ROW) out = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

// Runs a statement on a separate raw read-write connection; the error text, "" when it ran.
std::string exec_raw(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string out = rc == SQLITE_OK ? "" : (error ? error : "error");
  sqlite3_free(error);
  sqlite3_close(db);
  return out;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("store.db");
    store_ = open_sqlite_store({path_, 4, 10s});
    auto tx = store_->begin(TxMode::Write);
    const Id concert = tx->insert_concert("Unit Test Live");
    domain::Schedule s;
    s.concert_id = concert;
    s.starts_at = t0 + 24h;
    s.sales_open_at = t0 - 1h;
    s.sales_close_at = t0 + 23h;
    schedule_ = tx->insert_schedule(s);
    other_schedule_ = tx->insert_schedule(s);
    std::vector<ports::NewSeat> seats;
    for (int i = 1; i <= 6; ++i) seats.push_back({"A", "1", i, "R", 50'000});
    tx->insert_seats(schedule_, seats);
    tx->insert_seats(other_schedule_, std::vector<ports::NewSeat>{{"A", "1", 1, "R", 50'000}});
    for (const auto& seat : tx->list_seats(schedule_)) seats_.push_back(seat.id);
    other_seat_ = tx->list_seats(other_schedule_).at(0).id;
    tx->commit();
    ASSERT_EQ(seats_.size(), 6u);
  }

  Id add_reservation(ports::Tx& tx, const std::string& user, std::vector<Id> seat_ids, const std::string& key) {
    domain::Reservation r;
    r.schedule_id = schedule_;
    r.user_id = user;
    r.seat_ids = std::move(seat_ids);
    r.amount = 50'000 * static_cast<domain::Money>(r.seat_ids.size());
    r.created_at = t0;
    r.expires_at = t0 + 5min;
    r.idempotency_key = key;
    return tx.insert_reservation(r).value();
  }

  // A PENDING payment of alice's for the reservation, as the use case builds it.
  static domain::Payment pending_payment(Id reservation_id, const std::string& key) {
    domain::Payment p;
    p.reservation_id = reservation_id;
    p.user_id = "alice";
    p.amount = 50'000;
    p.idempotency_key = key;
    p.created_at = p.updated_at = t0;
    return p;
  }

  std::vector<domain::Seat> seats_now(std::vector<Id> ids) {
    auto tx = store_->begin(TxMode::Read);
    return tx->find_seats(schedule_, ids);
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<ports::Store> store_;
  Id schedule_ = 0;
  Id other_schedule_ = 0;
  std::vector<Id> seats_;
  Id other_seat_ = 0;
};

// --- migrations and transactions ---------------------------------------------------

TEST_F(SqliteStoreTest, MigratingTwiceIsANoOpAndKeepsData) {
  const auto applied = scalar(path_, "SELECT COUNT(*) FROM schema_migrations");
  EXPECT_GE(applied, 1);
  EXPECT_NO_THROW(migrate_sqlite(path_));
  EXPECT_NO_THROW(migrate_sqlite(path_));
  EXPECT_EQ(scalar(path_, "SELECT COUNT(*) FROM schema_migrations"), applied);
  EXPECT_EQ(scalar(path_, "SELECT COUNT(*) FROM seats"), 7);
  // A second store on the same file sees the same rows.
  auto again = open_sqlite_store({path_, 1, 1s});
  EXPECT_EQ(again->begin(TxMode::Read)->list_seats(schedule_).size(), 6u);
  EXPECT_TRUE(again->ping());
}

TEST(SqliteMigrations, FreshFileGetsTheWholeSchema) {
  TempDir dir;
  const auto path = dir.file("fresh.db");
  migrate_sqlite(path);
  migrate_sqlite(path);
  for (const char* table : {"concerts", "schedules", "seats", "reservations", "reservation_seats", "payments_main",
                            "idempotency_keys", "outbox"}) {
    const std::string sql =
        std::string("SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='") + table + "'";
    EXPECT_EQ(scalar(path, sql.c_str()), 1) << table;
  }
  EXPECT_EQ(scalar(path, "SELECT COUNT(*) FROM schema_migrations"),
            scalar(path, "SELECT COUNT(DISTINCT version) FROM schema_migrations"));
}

TEST_F(SqliteStoreTest, TxDestroyedWithoutCommitRollsBack) {
  {
    auto tx = store_->begin(TxMode::Write);
    tx->insert_concert("never committed");
    EXPECT_EQ(tx->list_concerts().size(), 2u);  // visible inside its own transaction
    EXPECT_EQ(tx->hold_seats(schedule_, std::vector<Id>{seats_[0]}, 999, t0 + 5min), 1);
  }
  auto tx = store_->begin(TxMode::Read);
  EXPECT_EQ(tx->list_concerts().size(), 1u);
  EXPECT_EQ(tx->find_seats(schedule_, std::vector<Id>{seats_[0]}).at(0).status, SeatStatus::Available);
}

TEST_F(SqliteStoreTest, CommittedChangesAreVisibleToTheNextTx) {
  {
    auto tx = store_->begin(TxMode::Write);
    tx->insert_concert("second");
    tx->commit();
  }
  auto tx = store_->begin(TxMode::Read);
  EXPECT_EQ(tx->list_concerts().size(), 2u);
}

// --- seats --------------------------------------------------------------------------

TEST_F(SqliteStoreTest, HoldIsConditionalOnAvailability) {
  auto tx = store_->begin(TxMode::Write);
  const Id r1 = add_reservation(*tx, "alice", {seats_[0]}, "k1");
  const Id r2 = add_reservation(*tx, "bob", {seats_[0], seats_[1]}, "k2");
  EXPECT_EQ(tx->hold_seats(schedule_, std::vector<Id>{seats_[0]}, r1, t0 + 5min), 1);
  EXPECT_EQ(tx->hold_seats(schedule_, std::vector<Id>{seats_[0]}, r2, t0 + 5min), 0);
  // Partly taken: only the free seat changes, so the caller sees 1 != 2 and rolls back.
  EXPECT_EQ(tx->hold_seats(schedule_, std::vector<Id>{seats_[0], seats_[1]}, r2, t0 + 5min), 1);
  // A seat of another schedule is never held through this schedule.
  EXPECT_EQ(tx->hold_seats(schedule_, std::vector<Id>{other_seat_}, r2, t0 + 5min), 0);
  // Unknown ids change nothing.
  EXPECT_EQ(tx->hold_seats(schedule_, std::vector<Id>{999'999}, r2, t0 + 5min), 0);
  tx->commit();

  const auto seats = seats_now({seats_[0], seats_[1]});
  ASSERT_EQ(seats.size(), 2u);
  EXPECT_EQ(seats[0].status, SeatStatus::Held);
  EXPECT_EQ(seats[0].reservation_id, r1);
  EXPECT_EQ(seats[0].hold_expires_at, t0 + 5min);
  EXPECT_EQ(seats[0].version, 1);
  EXPECT_EQ(seats[1].reservation_id, r2);
}

TEST_F(SqliteStoreTest, SixteenConcurrentWritersOnTheSameSeatsExactlyOneWins) {
  const std::vector<Id> wanted{seats_[0], seats_[1], seats_[2]};
  std::atomic<int> winners{0}, losers{0}, errors{0};
  std::atomic<Id> winner_reservation{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      try {
        auto tx = store_->begin(TxMode::Write);
        const Id rid = add_reservation(*tx, "user" + std::to_string(t), wanted, "key" + std::to_string(t));
        const int changed = tx->hold_seats(schedule_, wanted, rid, t0 + 5min);
        if (changed == static_cast<int>(wanted.size())) {
          tx->commit();
          winner_reservation = rid;
          ++winners;
        } else {
          EXPECT_EQ(changed, 0);
          ++losers;  // destroyed without commit: rolled back
        }
      } catch (const std::exception& e) {
        ++errors;
        ADD_FAILURE() << e.what();
      }
    });
  }
  go = true;
  for (auto& th : threads) th.join();
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(losers.load(), 15);
  EXPECT_EQ(errors.load(), 0);

  auto tx = store_->begin(TxMode::Read);
  for (const auto& seat : tx->find_seats(schedule_, wanted)) {
    EXPECT_EQ(seat.status, SeatStatus::Held);
    EXPECT_EQ(seat.reservation_id, winner_reservation.load());
    EXPECT_EQ(seat.version, 1);
  }
  // The losers' reservation rows were rolled back with their holds.
  EXPECT_EQ(tx->list_reservations(schedule_).size(), 1u);
}

TEST_F(SqliteStoreTest, SellReleaseAndRetakeCountRows) {
  auto tx = store_->begin(TxMode::Write);
  const std::vector<Id> three{seats_[0], seats_[1], seats_[2]};
  const Id r1 = add_reservation(*tx, "alice", three, "k1");
  ASSERT_EQ(tx->hold_seats(schedule_, three, r1, t0 + 5min), 3);

  EXPECT_EQ(tx->sell_held_seats(r1), 3);
  EXPECT_EQ(tx->sell_held_seats(r1), 0);                  // already SOLD
  EXPECT_EQ(tx->release_seats(r1, SeatStatus::Held), 0);  // nothing HELD any more
  EXPECT_EQ(tx->release_seats(r1, SeatStatus::Sold), 3);  // refund
  EXPECT_EQ(tx->release_seats(r1, SeatStatus::Sold), 0);

  const Id r2 = add_reservation(*tx, "bob", {seats_[3], seats_[4]}, "k2");
  ASSERT_EQ(tx->hold_seats(schedule_, std::vector<Id>{seats_[3], seats_[4]}, r2, t0 + 5min), 2);
  EXPECT_EQ(tx->release_seats(r2, SeatStatus::Held), 2);  // cancel or expiry
  EXPECT_EQ(tx->sell_held_seats(r2), 0);                  // a late sale finds nothing held

  // A late approval retakes exactly its seats while they are free...
  EXPECT_EQ(tx->retake_seats(std::vector<Id>{seats_[3], seats_[4]}, r2), 2);
  EXPECT_EQ(tx->retake_seats(std::vector<Id>{seats_[3], seats_[4]}, r2), 0);
  // ...and only the free ones when someone else took one meanwhile.
  const Id r3 = add_reservation(*tx, "carol", {seats_[5]}, "k3");
  ASSERT_EQ(tx->hold_seats(schedule_, std::vector<Id>{seats_[5]}, r3, t0 + 5min), 1);
  EXPECT_EQ(tx->retake_seats(std::vector<Id>{seats_[0], seats_[5]}, r2), 1);
  tx->commit();

  const auto seats = seats_now(seats_);
  ASSERT_EQ(seats.size(), 6u);
  EXPECT_EQ(seats[0].status, SeatStatus::Sold);
  EXPECT_EQ(seats[0].reservation_id, r2);
  EXPECT_EQ(seats[1].status, SeatStatus::Available);
  EXPECT_FALSE(seats[1].reservation_id.has_value());
  EXPECT_FALSE(seats[1].hold_expires_at.has_value());
  EXPECT_EQ(seats[3].status, SeatStatus::Sold);
  EXPECT_FALSE(seats[3].hold_expires_at.has_value());
  EXPECT_EQ(seats[5].status, SeatStatus::Held);
  EXPECT_EQ(seats[5].reservation_id, r3);
}

// --- reservations and payment claims ----------------------------------------------------

TEST_F(SqliteStoreTest, ReservationRoundTripAndTransitions) {
  auto tx = store_->begin(TxMode::Write);
  const Id r = add_reservation(*tx, "alice", {seats_[1], seats_[0]}, "k1");
  auto found = tx->find_reservation(r);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->status, ReservationStatus::Held);
  EXPECT_EQ(found->seat_ids, (std::vector<Id>{seats_[0], seats_[1]}));
  EXPECT_EQ(found->amount, 100'000);
  EXPECT_EQ(found->expires_at, t0 + 5min);
  EXPECT_EQ(found->version, 1);
  EXPECT_EQ(tx->find_reservation_by_key("alice", "k1")->id, r);
  EXPECT_FALSE(tx->find_reservation_by_key("bob", "k1"));
  // Read with any seat of the schedule: here one the reservation does not hold.
  const auto live_seats = [&] {
    return tx->find_seats_to_hold(schedule_, std::vector<Id>{seats_[2]}, "alice").live_seats;
  };
  EXPECT_EQ(live_seats(), 2);
  EXPECT_EQ(tx->find_seats_to_hold(schedule_, std::vector<Id>{seats_[2]}, "bob").live_seats, 0);

  EXPECT_TRUE(tx->transition_reservation(r, ReservationStatus::Held, ReservationStatus::Paid));
  EXPECT_FALSE(tx->transition_reservation(r, ReservationStatus::Held, ReservationStatus::Cancelled));
  EXPECT_EQ(tx->find_reservation(r)->version, 2);
  EXPECT_EQ(live_seats(), 2);
  EXPECT_TRUE(tx->transition_reservation(r, ReservationStatus::Paid, ReservationStatus::Refunded));
  EXPECT_EQ(live_seats(), 0);
}

TEST_F(SqliteStoreTest, SameIdempotencyKeyForOneUserIsRefusedByTheSchema) {
  auto tx = store_->begin(TxMode::Write);
  const Id first = add_reservation(*tx, "alice", {seats_[0]}, "same");
  EXPECT_NO_THROW(add_reservation(*tx, "bob", {seats_[1]}, "same"));
  domain::Reservation again;
  again.schedule_id = schedule_;
  again.user_id = "alice";
  again.seat_ids = {seats_[2]};
  again.idempotency_key = "same";
  EXPECT_FALSE(tx->insert_reservation(again));  // nothing inserted, the first one untouched
  EXPECT_EQ(tx->find_reservation_by_key("alice", "same")->id, first);
  EXPECT_EQ(tx->find_reservation(first)->seat_ids, (std::vector<Id>{seats_[0]}));
}

TEST_F(SqliteStoreTest, ClaimForPaymentIsExclusive) {
  auto tx = store_->begin(TxMode::Write);
  const Id r = add_reservation(*tx, "alice", {seats_[0]}, "k1");
  EXPECT_TRUE(tx->claim_for_payment(r, 101));
  EXPECT_FALSE(tx->claim_for_payment(r, 102));  // another payment is at the gateway
  EXPECT_TRUE(tx->claim_for_payment(r, 101));   // the same payment may re-claim (retry)
  EXPECT_EQ(tx->find_reservation(r)->pending_payment_id, 101);

  tx->clear_payment_claim(r, 102);  // not the owner: no effect
  EXPECT_FALSE(tx->claim_for_payment(r, 102));
  tx->clear_payment_claim(r, 101);
  EXPECT_FALSE(tx->find_reservation(r)->pending_payment_id.has_value());
  EXPECT_TRUE(tx->claim_for_payment(r, 102));

  // Only a HELD reservation can be claimed.
  const Id other = add_reservation(*tx, "bob", {seats_[1]}, "k2");
  ASSERT_TRUE(tx->transition_reservation(other, ReservationStatus::Held, ReservationStatus::Expired));
  EXPECT_FALSE(tx->claim_for_payment(other, 103));
  EXPECT_FALSE(tx->claim_for_payment(999'999, 104));
}

TEST_F(SqliteStoreTest, PaymentRoundTripAndConditionalTransition) {
  auto tx = store_->begin(TxMode::Write);
  const Id r = add_reservation(*tx, "alice", {seats_[0]}, "k1");
  const auto p = pending_payment(r, "pay-1");
  const Id pid = tx->insert_payment(p).value();
  EXPECT_FALSE(tx->insert_payment(p)) << "the same user and key: the first payment stays";
  EXPECT_EQ(tx->find_payment(pid)->status, domain::PaymentStatus::Pending);
  EXPECT_EQ(tx->find_payment_by_key("alice", "pay-1")->id, pid);
  EXPECT_TRUE(tx->transition_payment(pid, domain::PaymentStatus::Pending, domain::PaymentStatus::Approved,
                                     std::string("gw-1"), t0 + 1s));
  EXPECT_FALSE(tx->transition_payment(pid, domain::PaymentStatus::Pending, domain::PaymentStatus::Declined,
                                      std::nullopt, t0 + 2s));
  // No gateway id given: the stored one is kept.
  EXPECT_TRUE(tx->transition_payment(pid, domain::PaymentStatus::Approved, domain::PaymentStatus::Refunded,
                                     std::nullopt, t0 + 3s));
  const auto stored = tx->find_payment(pid);
  EXPECT_EQ(stored->status, domain::PaymentStatus::Refunded);
  EXPECT_EQ(stored->gateway_tx_id, "gw-1");
  EXPECT_EQ(stored->version, 3);
  EXPECT_EQ(stored->updated_at, t0 + 3s);
  EXPECT_EQ(tx->list_payments_for(r).size(), 1u);
}

// --- idempotency -------------------------------------------------------------------

ports::IdempotencyRecord record(const std::string& key, domain::TimePoint at, const std::string& user = "alice") {
  ports::IdempotencyRecord r;
  r.user_id = user;
  r.scope = "payments";
  r.key = key;
  r.request_hash = "hash-" + key;
  r.created_at = at;
  return r;
}

// SPEC §3's states, REFUND_PENDING and VOID_PENDING included, are the only ones
// a status column takes, whoever writes the row (schema/sqlite/004).
TEST_F(SqliteStoreTest, StatusColumnsTakeOnlyTheStatesOfTheSpec) {
  auto tx = store_->begin(TxMode::Write);
  const Id rid = add_reservation(*tx, "alice", {seats_[0]}, "k");
  const Id pid = tx->insert_payment(pending_payment(rid, "k")).value();
  tx->commit();
  const auto set = [&](const std::string& table, const std::string& status, Id id) {
    return exec_raw(path_, "UPDATE " + table + " SET status = '" + status + "' WHERE id = " + std::to_string(id));
  };
  for (const auto* status : {"APPROVED", "REFUND_PENDING", "REFUNDED", "VOID_PENDING", "VOIDED", "FAILED"}) {
    EXPECT_EQ(set("payments_main", status, pid), "") << status;
  }
  EXPECT_EQ(set("payments_main", "REFUNDING", pid), "CHECK constraint failed: payments_main.status");
  EXPECT_EQ(set("payments_main", "approved", pid), "CHECK constraint failed: payments_main.status");
  EXPECT_EQ(set("reservations", "VOIDED", rid), "CHECK constraint failed: reservations.status");
  EXPECT_EQ(set("seats", "RESERVED", seats_[0]), "CHECK constraint failed: seats.status");
  EXPECT_EQ(scalar(path_, "SELECT COUNT(*) FROM payments_main WHERE status = 'FAILED'"), 1);
}

TEST_F(SqliteStoreTest, IdempotencyInsertFindCompleteDelete) {
  auto tx = store_->begin(TxMode::Write);
  EXPECT_TRUE(tx->try_insert_idempotency(record("k", t0)));
  EXPECT_FALSE(tx->try_insert_idempotency(record("k", t0)));
  EXPECT_TRUE(tx->try_insert_idempotency(record("k", t0, "bob")));  // scoped to the user
  auto other_scope = record("k", t0);
  other_scope.scope = "reservations";
  EXPECT_TRUE(tx->try_insert_idempotency(other_scope));

  auto found = tx->find_idempotency("alice", "payments", "k");
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->completed);
  EXPECT_EQ(found->request_hash, "hash-k");
  EXPECT_EQ(found->created_at, t0);

  tx->complete_idempotency("alice", "payments", "k", 201, R"({"paymentId":1})");
  found = tx->find_idempotency("alice", "payments", "k");
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->completed);
  EXPECT_EQ(found->response_status, 201);
  EXPECT_EQ(found->response_body, R"({"paymentId":1})");
  EXPECT_FALSE(tx->find_idempotency("bob", "payments", "k")->completed);

  tx->delete_idempotency("alice", "payments", "k");
  EXPECT_FALSE(tx->find_idempotency("alice", "payments", "k"));
  EXPECT_TRUE(tx->find_idempotency("bob", "payments", "k"));
  EXPECT_TRUE(tx->try_insert_idempotency(record("k", t0)));  // the key can be used again after a delete
}

TEST_F(SqliteStoreTest, PurgeDropsOnlyOldCompletedRecordsUpToTheLimit) {
  auto tx = store_->begin(TxMode::Write);
  const auto old = t0 - 48h;
  for (int i = 0; i < 5; ++i) {
    const auto key = "old" + std::to_string(i);
    ASSERT_TRUE(tx->try_insert_idempotency(record(key, old)));
    tx->complete_idempotency("alice", "payments", key, 201, "{}");
  }
  ASSERT_TRUE(tx->try_insert_idempotency(record("old-in-flight", old)));
  ASSERT_TRUE(tx->try_insert_idempotency(record("new", t0)));
  tx->complete_idempotency("alice", "payments", "new", 201, "{}");

  const auto cutoff = t0 - 24h;
  EXPECT_EQ(tx->purge_idempotency(cutoff, 2), 2);
  EXPECT_EQ(tx->purge_idempotency(cutoff, 100), 3);
  EXPECT_EQ(tx->purge_idempotency(cutoff, 100), 0);
  EXPECT_TRUE(tx->find_idempotency("alice", "payments", "old-in-flight"));  // still in flight: kept
  EXPECT_TRUE(tx->find_idempotency("alice", "payments", "new"));
}

// --- outbox -----------------------------------------------------------------------

domain::NewEvent event(Id aggregate, std::int64_t version, const std::string& type) {
  return {"reservation", aggregate, version, type, R"({"reservationId":)" + std::to_string(aggregate) + "}", {}};
}

TEST_F(SqliteStoreTest, OutboxKeepsInsertionOrderAndMarksPublished) {
  {
    auto tx = store_->begin(TxMode::Write);
    tx->append_event(event(7, 1, "ReservationHeld"), t0);
    tx->append_event(event(3, 1, "ReservationHeld"), t0 + 1ms);
    tx->append_event(event(7, 2, "ReservationPaid"), t0 + 2ms);
    tx->commit();
  }
  auto tx = store_->begin(TxMode::Write);
  auto pending = tx->unpublished_events(10);
  ASSERT_EQ(pending.size(), 3u);
  EXPECT_EQ(pending[0].event_id, "reservation-7-v1");
  EXPECT_EQ(pending[1].event_id, "reservation-3-v1");
  EXPECT_EQ(pending[2].event_id, "reservation-7-v2");
  EXPECT_EQ(pending[2].event.event_type, "ReservationPaid");
  EXPECT_EQ(pending[2].event.payload, R"({"reservationId":7})");
  EXPECT_EQ(pending[0].created_at, t0);
  EXPECT_LT(pending[0].id, pending[1].id);
  EXPECT_LT(pending[1].id, pending[2].id);
  EXPECT_FALSE(pending[0].published);

  EXPECT_EQ(tx->unpublished_events(2).size(), 2u);
  const std::vector<Id> first_two{pending[0].id, pending[1].id};
  tx->mark_published(first_two);
  auto rest = tx->unpublished_events(10);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].event_id, "reservation-7-v2");

  const auto all = tx->list_events(0, 10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_TRUE(all[0].published);
  EXPECT_TRUE(all[1].published);
  EXPECT_FALSE(all[2].published);
  EXPECT_EQ(tx->list_events(pending[1].id, 10).size(), 1u);
}

TEST_F(SqliteStoreTest, DuplicateAggregateVersionEventThrows) {
  auto tx = store_->begin(TxMode::Write);
  tx->append_event(event(7, 1, "ReservationHeld"), t0);
  EXPECT_ANY_THROW(tx->append_event(event(7, 1, "ReservationCancelled"), t0));
  // The failed statement leaves the transaction usable and the first event intact.
  tx->append_event(event(7, 2, "ReservationCancelled"), t0);
  tx->commit();
  auto read = store_->begin(TxMode::Read);
  const auto all = read->list_events(0, 10);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].event.event_type, "ReservationHeld");
}

// --- pool bounds --------------------------------------------------------------------

// Another thread (another request) trying to open a transaction; rethrows what begin() threw.
void begin_elsewhere(ports::Store& store, TxMode mode) {
  std::async(std::launch::async, [&store, mode] { store.begin(mode); }).get();
}

TEST(SqlitePool, SecondBeginWhileTheOnlyConnectionIsBusyThrowsStoreUnavailable) {
  TempDir dir;
  auto store = open_sqlite_store({dir.file("pool.db"), 1, 100ms});
  {
    auto tx = store->begin(TxMode::Read);
    const auto started = std::chrono::steady_clock::now();
    EXPECT_THROW(begin_elsewhere(*store, TxMode::Read), ports::StoreUnavailable);
    EXPECT_THROW(begin_elsewhere(*store, TxMode::Write), ports::StoreUnavailable);
    const auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_GE(waited, 190ms);  // two waits of 100 ms each
    EXPECT_LT(waited, 2s);
    EXPECT_FALSE(std::async(std::launch::async, [&store] { return store->ping(); }).get());
  }
  {
    auto tx = store->begin(TxMode::Write);
    EXPECT_THROW(begin_elsewhere(*store, TxMode::Write), ports::StoreUnavailable);  // the writer slot
    EXPECT_THROW(begin_elsewhere(*store, TxMode::Read), ports::StoreUnavailable);   // the connection
  }
  // Once the transaction is gone the connection (and the writer slot) are free again.
  EXPECT_NO_THROW(begin_elsewhere(*store, TxMode::Write));
  EXPECT_NO_THROW(store->begin(TxMode::Write)->commit());
  EXPECT_TRUE(store->ping());
}

TEST(SqlitePool, AWaiterGetsTheConnectionWhenItIsReturnedInTime) {
  TempDir dir;
  auto store = open_sqlite_store({dir.file("pool.db"), 1, 2s});
  auto tx = store->begin(TxMode::Write);
  auto waiter = std::async(std::launch::async, [&store] { store->begin(TxMode::Write)->commit(); });
  EXPECT_EQ(waiter.wait_for(50ms), std::future_status::timeout);  // still waiting for the writer slot
  tx.reset();
  EXPECT_NO_THROW(waiter.get());
}

// A transaction may end on another thread than began it (a mutex could not be
// unlocked there; ThreadSanitizer flags it).
TEST(SqlitePool, AWriteEndedOnAnotherThreadFreesTheWriterSlot) {
  TempDir dir;
  auto store = open_sqlite_store({dir.file("pool.db"), 2, 100ms});
  auto tx = store->begin(TxMode::Write);
  tx->insert_concert("from another thread");
  std::thread([&tx] {
    tx->commit();
    tx.reset();
  }).join();
  auto next = store->begin(TxMode::Write);
  EXPECT_EQ(next->list_concerts().size(), 1u);
}

}  // namespace
}  // namespace concert::adapters::sqlite
