// Seat holds: all-or-nothing, token rules, limits, cancel, expiry (SPEC §3, §4, I1, I5, I6).
#include <atomic>
#include <thread>

#include "contract_fixture.hpp"
#include "support/counting_store.hpp"

namespace concert::testing {
namespace {

using domain::ErrorCode;
using domain::ReservationStatus;
using domain::SeatStatus;

class Holds : public ContractTest {};
CONCERT_CONTRACT_SUITE(Holds);

std::vector<domain::Id> first_seats(AppFixture& f, domain::Id schedule_id, int n) {
  auto seats = f.store->begin(ports::TxMode::Read)->list_seats(schedule_id);
  std::vector<domain::Id> ids;
  for (int i = 0; i < n; ++i) ids.push_back(seats.at(static_cast<std::size_t>(i)).id);
  return ids;
}

TEST_P(Holds, HoldMarksSeatsHeldAndPricesTheReservation) {
  auto s = f->make_schedule(20);
  auto ids = first_seats(*f, s.id, 2);
  auto r = f->hold("alice", s.id, ids);
  EXPECT_EQ(r.status, ReservationStatus::Held);
  EXPECT_EQ(r.amount, 100'000);
  EXPECT_EQ(r.expires_at, f->clock.now() + std::chrono::seconds(60));
  for (auto id : ids) {
    EXPECT_EQ(seat(s.id, id).status, SeatStatus::Held);
    EXPECT_EQ(seat(s.id, id).reservation_id, r.id);
  }
  expect_invariants({s.id});
}

TEST_P(Holds, OnlyAnActiveTokenOfThatScheduleAndUserMayHold) {
  auto s = f->make_schedule(20, {1, 1, 600, 120});
  auto other = f->make_schedule(20);
  auto ids = first_seats(*f, s.id, 1);
  // No token at all.
  auto none = f->services->reservations.hold({"alice", s.id, ids, "", "k1"});
  EXPECT_EQ(none.error().code, ErrorCode::TokenNotActive);
  // A waiting token: bob is behind alice and max_active is 1.
  auto alice = f->admit("alice", s.id);
  auto bob = f->services->queue.enter("bob", s.id)->token.token;
  EXPECT_EQ(f->services->reservations.hold({"bob", s.id, ids, bob, "k2"}).error().code, ErrorCode::TokenNotActive);
  // Alice's token used by someone else, or for another schedule.
  EXPECT_EQ(f->services->reservations.hold({"mallory", s.id, ids, alice, "k3"}).error().code, ErrorCode::TokenNotActive);
  auto other_ids = first_seats(*f, other.id, 1);
  EXPECT_EQ(f->services->reservations.hold({"alice", other.id, other_ids, alice, "k4"}).error().code,
            ErrorCode::TokenNotActive);
  EXPECT_TRUE(f->services->reservations.hold({"alice", s.id, ids, alice, "k5"}));
  expect_invariants({s.id, other.id});
}

// Once its stored answer is gone (purged after a day, or a caller that keeps
// none), a key that made a reservation cannot make another: a clear refusal,
// nothing held. (The property test found the database error this used to be.)
TEST_P(Holds, AKeyThatMadeAReservationCannotMakeAnother) {
  auto s = f->make_schedule(20);
  auto ids = first_seats(*f, s.id, 3);
  auto token = f->admit("alice", s.id);
  auto first = f->services->reservations.hold({"alice", s.id, {ids[0]}, token, "same"});
  ASSERT_TRUE(first) << first.error().detail;
  auto again = f->services->reservations.hold({"alice", s.id, {ids[1], ids[2]}, token, "same"});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::KeyReused);
  EXPECT_EQ(seat(s.id, ids[1]).status, SeatStatus::Available);
  EXPECT_EQ(seat(s.id, ids[2]).status, SeatStatus::Available);
  EXPECT_TRUE(f->services->reservations.hold({"bob", s.id, {ids[1]}, f->admit("bob", s.id), "same"}));  // per user
  expect_invariants({s.id});
}

TEST_P(Holds, AllOrNothingWhenOneSeatIsTaken) {
  auto s = f->make_schedule(20);
  auto ids = first_seats(*f, s.id, 3);
  f->hold("alice", s.id, {ids[0]});
  auto token = f->admit("bob", s.id);
  auto taken = f->services->reservations.hold({"bob", s.id, {ids[1], ids[0]}, token, "b1"});
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, ErrorCode::SeatTaken);
  EXPECT_EQ(seat(s.id, ids[1]).status, SeatStatus::Available);  // nothing half-held
  expect_invariants({s.id});
}

TEST_P(Holds, BadSeatsAreRejectedWith422Semantics) {
  auto s = f->make_schedule(20);
  auto other = f->make_schedule(20);
  auto token = f->admit("alice", s.id);
  auto foreign = first_seats(*f, other.id, 1);
  auto own = first_seats(*f, s.id, 5);
  auto hold = [&](std::vector<domain::Id> ids) {
    return f->services->reservations.hold({"alice", s.id, std::move(ids), token, "k"});
  };
  EXPECT_EQ(hold({999'999}).error().code, ErrorCode::BadSeats);
  EXPECT_EQ(hold(foreign).error().code, ErrorCode::BadSeats);
  EXPECT_EQ(hold(own).error().code, ErrorCode::BadSeats);  // 5 > 4
  EXPECT_EQ(hold({own[0], own[0]}).error().code, ErrorCode::BadSeats);
  EXPECT_EQ(hold({}).error().code, ErrorCode::BadSeats);
  EXPECT_EQ(seat(s.id, own[0]).status, SeatStatus::Available);
}

TEST_P(Holds, SeatLimitSpansLiveReservationsAndCancelFreesIt) {
  auto s = f->make_schedule(20);
  auto ids = first_seats(*f, s.id, 6);
  auto token = f->admit("alice", s.id);
  auto first = f->services->reservations.hold({"alice", s.id, {ids[0], ids[1], ids[2]}, token, "a"});
  ASSERT_TRUE(first);
  auto over = f->services->reservations.hold({"alice", s.id, {ids[3], ids[4]}, token, "b"});
  EXPECT_EQ(over.error().code, ErrorCode::SeatLimitReached);
  ASSERT_TRUE(f->services->reservations.cancel("alice", first->id));
  EXPECT_TRUE(f->services->reservations.hold({"alice", s.id, {ids[3], ids[4]}, token, "c"}));
  expect_invariants({s.id});
}

TEST_P(Holds, SeatLimitCountsOnlyThisFansLiveSeatsInThisSchedule) {
  auto s = f->make_schedule(20);
  auto other = f->make_schedule(20);
  auto ids = first_seats(*f, s.id, 8);
  f->hold("bob", s.id, {ids[0], ids[1], ids[2], ids[3]});            // another fan
  f->hold("alice", other.id, first_seats(*f, other.id, 4));           // another schedule
  auto paid = f->hold("alice", s.id, {ids[4]});
  ASSERT_TRUE(f->services->payments.pay({"alice", paid.id, "pay"}));  // PAID counts
  auto tx = f->store->begin(ports::TxMode::Read);
  const auto read = tx->find_seats_to_hold(s.id, std::vector<domain::Id>{ids[5], ids[6]}, "alice");
  ASSERT_EQ(read.seats.size(), 2u);
  EXPECT_EQ(read.live_seats, 1);
  EXPECT_TRUE(f->services->reservations.hold({"alice", s.id, {ids[5], ids[6], ids[7]}, f->admit("alice", s.id), "x"}));
  expect_invariants({s.id, other.id});
}

// Two-seat holds of one fan race from 12 threads: however they interleave, the
// fan ends with at most maxSeatsPerUser (4) live seats, i.e. two holds.
TEST_P(Holds, ConcurrentHoldsOfOneFanStayWithinTheSeatLimit) {
  auto s = f->make_schedule(24);
  auto ids = first_seats(*f, s.id, 24);
  auto token = f->admit("alice", s.id);
  std::atomic<int> held{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&, i] {
      const auto pair = std::vector<domain::Id>{ids[2 * i], ids[2 * i + 1]};
      auto r = f->services->reservations.hold({"alice", s.id, pair, token, "k" + std::to_string(i)});
      if (r) {
        ++held;
      } else {
        EXPECT_EQ(r.error().code, ErrorCode::SeatLimitReached) << r.error().detail;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(held.load(), 2);
  EXPECT_EQ(f->store->begin(ports::TxMode::Read)->find_seats_to_hold(s.id, ids, "alice").live_seats, 4);
  expect_invariants({s.id});
}

// Seat locks: all or nothing, compare-and-delete release, expiry (the lock port
// of every adapter set).
TEST_P(Holds, SeatLocksAreAllOrNothingReleasedOnlyByTheirOwnerAndExpire) {
  auto& locks = *f->seat_locks;
  const std::vector<domain::Id> a{1, 2}, b{2, 3}, three{3};
  EXPECT_TRUE(locks.try_lock(77, a, "alice", domain::Millis(150)));
  EXPECT_TRUE(locks.try_lock(77, a, "alice", domain::Millis(150)));  // the owner again
  EXPECT_FALSE(locks.try_lock(77, b, "bob", domain::Millis(150)));
  EXPECT_TRUE(locks.try_lock(77, three, "carol", domain::Millis(60'000)));  // bob's failure locked nothing
  EXPECT_TRUE(locks.try_lock(78, b, "bob", domain::Millis(150)));  // another schedule
  locks.unlock(77, a, "bob");  // not bob's: nothing released
  EXPECT_FALSE(locks.try_lock(77, a, "dave", domain::Millis(150)));
  locks.unlock(77, a, "alice");
  EXPECT_TRUE(locks.try_lock(77, a, "dave", domain::Millis(150)));
  f->clock.advance(std::chrono::milliseconds(300));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // Redis expires keys by its own clock
  EXPECT_TRUE(locks.try_lock(77, a, "erin", domain::Millis(150)));  // dave's lock expired
}

// A hold whose seats another request has locked is refused before the database
// and changes nothing; once the lock is gone the same seats can be held.
TEST_P(Holds, AHoldOnSeatsLockedByAnotherRequestIsRefusedAndChangesNothing) {
  auto s = f->make_schedule(10);
  auto ids = first_seats(*f, s.id, 2);
  auto token = f->admit("alice", s.id);
  ASSERT_TRUE(f->seat_locks->try_lock(s.id, std::vector<domain::Id>{ids[1]}, "bob\nkey", domain::Millis(60'000)));
  auto refused = f->services->reservations.hold({"alice", s.id, ids, token, "k1"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::SeatTaken);
  EXPECT_EQ(seat(s.id, ids[0]).status, SeatStatus::Available);
  EXPECT_TRUE(f->store->begin(ports::TxMode::Read)->list_reservations(s.id).empty());
  f->seat_locks->unlock(s.id, std::vector<domain::Id>{ids[1]}, "bob\nkey");
  EXPECT_TRUE(f->services->reservations.hold({"alice", s.id, ids, token, "k2"}));
  expect_invariants({s.id});
}

TEST_P(Holds, CancelReleasesSeatsOnceAndOnlyForTheOwner) {
  auto s = f->make_schedule(20);
  auto ids = first_seats(*f, s.id, 2);
  auto r = f->hold("alice", s.id, ids);
  EXPECT_EQ(f->services->reservations.cancel("bob", r.id).error().code, ErrorCode::NotFound);
  auto cancelled = f->services->reservations.cancel("alice", r.id);
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->status, ReservationStatus::Cancelled);
  EXPECT_EQ(seat(s.id, ids[0]).status, SeatStatus::Available);
  EXPECT_EQ(f->services->reservations.cancel("alice", r.id).error().code, ErrorCode::InvalidState);
  expect_invariants({s.id});
}

TEST_P(Holds, ExpiredHoldsAreSweptAndTheirSeatsFreed) {
  auto s = f->make_schedule(20);
  auto ids = first_seats(*f, s.id, 2);
  auto r = f->hold("alice", s.id, ids);
  f->clock.advance(std::chrono::seconds(59));
  EXPECT_EQ(f->sweeper->tick(), 0);
  f->clock.advance(std::chrono::seconds(1));
  EXPECT_EQ(f->sweeper->tick(), 1);
  EXPECT_EQ(f->services->reservations.get("alice", r.id)->status, ReservationStatus::Expired);
  EXPECT_EQ(seat(s.id, ids[0]).status, SeatStatus::Available);
  EXPECT_EQ(f->sweeper->tick(), 0);  // once only
  expect_invariants({s.id});
}

TEST_P(Holds, SeatMapReflectsHoldsThroughTheCache) {
  auto s = f->make_schedule(20);
  auto ids = first_seats(*f, s.id, 1);
  auto before = f->services->catalog.seat_map(s.id);
  ASSERT_TRUE(before);
  EXPECT_EQ(f->services->catalog.seat_map(s.id)->get(), before->get());  // the same cached copy
  EXPECT_EQ(f->seat_maps->get(s.id), *before);                            // served from memory
  f->hold("alice", s.id, ids);
  EXPECT_EQ(f->seat_maps->get(s.id), nullptr);  // the hold invalidated it
  auto after = f->services->catalog.seat_map(s.id);
  EXPECT_NE((*after)->etag, (*before)->etag);
  EXPECT_NE((*after)->body.find("\"HELD\""), std::string::npos);
  EXPECT_EQ(f->services->catalog.seat_map(424242).error().code, ErrorCode::NotFound);
}

// 16 readers miss the cache at once after an invalidation: one renders the map
// from the database, the others get its copy.
TEST_P(Holds, ACacheMissRendersTheSeatMapOnceForConcurrentReaders) {
  auto s = f->make_schedule(200);
  CountingStore counting(*f->store);
  app::AppContext ctx{counting, *f->queue, *f->seat_maps, *f->seat_locks, *f->gateway, f->clock, f->ctx->settings, f->kpis};
  app::Catalog catalog(ctx);
  for (int round = 0; round < 3; ++round) {
    f->seat_maps->invalidate(s.id);
    counting.reads = 0;
    std::vector<std::thread> readers;
    std::atomic<int> served{0};
    for (int i = 0; i < 16; ++i) {
      readers.emplace_back([&] { served += catalog.seat_map(s.id).has_value(); });
    }
    for (auto& t : readers) t.join();
    EXPECT_EQ(served.load(), 16);
    EXPECT_EQ(counting.reads.load(), 1) << "round " << round;
  }
}

}  // namespace
}  // namespace concert::testing
