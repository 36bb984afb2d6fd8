// SPEC §5 under contention through the real server: 64 fans race for 10 seats,
// with duplicate clicks (same Idempotency-Key, concurrently) and concurrent
// payments for one reservation; afterwards the database, the event sink and the
// gateway ledger must show I1-I4 exactly.
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "adapters/sqlite/sqlite_store.hpp"
#include "audit/event_ids.hpp"
#include "audit/invariants.hpp"
#include "http_fixture.hpp"

namespace concert::testing {
namespace {

constexpr int kFans = 64;
constexpr int kSeats = 10;

class RushContention : public HttpTest {
 protected:
  std::int64_t create_small_schedule() {
    auto concert = client->post("/api/v1/admin/concerts", R"({"title":"Tiny hall"})", admin());
    EXPECT_EQ(concert.status, 201) << concert.body;
    const auto id = concert.json()["id"].get<std::int64_t>();
    const std::string body = R"({"startsAt":"2030-01-01T19:00:00Z","salesOpenAt":"2020-01-01T00:00:00Z",
      "salesCloseAt":"2030-01-01T00:00:00Z","sections":[{"name":"A","grade":"R","price":50000,"rows":1,"seatsPerRow":10}],
      "queue":{"admitPerSecond":1000,"maxActive":1000,"activeTtlSeconds":600}})";
    auto schedule = client->post("/api/v1/admin/concerts/" + std::to_string(id) + "/schedules", body, admin());
    EXPECT_EQ(schedule.status, 201) << schedule.body;
    return schedule.json()["id"].get<std::int64_t>();
  }
};

struct Outcomes {
  std::mutex mutex;
  std::map<std::string, std::set<std::int64_t>> reservation_ids_by_key;  // 201 answers per hold key
  std::map<int, int> statuses;
  void record(int status) {
    std::lock_guard lock(mutex);
    ++statuses[status];
  }
};

TEST_F(RushContention, SixtyFourFansTenSeatsInvariantsHold) {
  const auto schedule_id = create_small_schedule();
  const auto seats = client->get("/api/v1/schedules/" + std::to_string(schedule_id) + "/seats").json()["seats"];
  ASSERT_EQ(seats.size(), static_cast<std::size_t>(kSeats));
  std::vector<std::int64_t> seat_ids;
  for (const auto& s : seats) seat_ids.push_back(s["id"].get<std::int64_t>());

  Outcomes outcomes;
  const unsigned short port = server->port();
  auto fan = [&](int i) {
    HttpClient http("127.0.0.1", port);
    const std::string user = "fan" + std::to_string(i);
    auto entered = http.post("/api/v1/schedules/" + std::to_string(schedule_id) + "/queue", "", auth(user));
    ASSERT_EQ(entered.status, 201) << entered.body;
    const auto token = entered.json()["token"].get<std::string>();
    for (int poll = 0;; ++poll) {
      auto headers = auth(user);
      headers.emplace_back("Queue-Token", token);
      auto st = http.get("/api/v1/queue/status", headers);
      ASSERT_EQ(st.status, 200) << st.body;
      if (st.json()["status"] == "ACTIVE") break;
      ASSERT_LT(poll, 500) << "never admitted";
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::mt19937 rng(static_cast<unsigned>(i));
    std::vector<std::int64_t> wanted;
    const int n = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < n; ++k) wanted.push_back(seat_ids[(rng() % kSeats)]);
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    const std::string hold_body =
        nlohmann::json{{"scheduleId", schedule_id}, {"seatIds", wanted}}.dump();
    const std::string hold_key = "hold-" + std::to_string(i);

    auto hold_once = [&, token](HttpClient& c) {
      auto headers = auth(user);
      headers.emplace_back("Queue-Token", token);
      headers.emplace_back("Idempotency-Key", hold_key);
      auto r = c.post("/api/v1/reservations", hold_body, headers);
      outcomes.record(r.status);
      EXPECT_TRUE(r.status == 201 || r.status == 409 || r.status == 422) << r.status << " " << r.body;
      if (r.status == 201) {
        std::lock_guard lock(outcomes.mutex);
        outcomes.reservation_ids_by_key[hold_key].insert(r.json()["reservationId"].get<std::int64_t>());
      }
      return r;
    };
    Reply hold;
    if (i % 4 == 0) {  // a double click: the same hold twice at once
      Reply twin;
      std::thread second([&] {
        HttpClient other("127.0.0.1", port);
        twin = hold_once(other);
      });
      hold = hold_once(http);
      second.join();
      if (hold.status != 201 && twin.status == 201) hold = twin;
    } else {
      hold = hold_once(http);
    }
    if (hold.status != 201) return;
    const auto reservation_id = hold.json()["reservationId"].get<std::int64_t>();
    if (i % 5 == 0) {
      auto cancelled = http.request("DELETE", "/api/v1/reservations/" + std::to_string(reservation_id), "", auth(user));
      outcomes.record(cancelled.status);
      EXPECT_EQ(cancelled.status, 200) << cancelled.body;
      return;
    }
    // Two clicks with one key and a third payment with another key, all at once.
    const std::string pay_body = nlohmann::json{{"reservationId", reservation_id}}.dump();
    std::vector<std::thread> payers;
    const std::vector<std::string> keys{"pay-" + std::to_string(i), "pay-" + std::to_string(i), "pay-b-" + std::to_string(i)};
    for (const auto& key : keys) {
      payers.emplace_back([&, key] {
        HttpClient c("127.0.0.1", port);
        auto headers = auth(user);
        headers.emplace_back("Idempotency-Key", key);
        auto r = c.post("/api/v1/payments", pay_body, headers);
        outcomes.record(r.status);
        EXPECT_TRUE(r.status == 201 || r.status == 409) << r.status << " " << r.body;
      });
    }
    for (auto& t : payers) t.join();
  };

  std::vector<std::thread> fans;
  for (int i = 0; i < kFans; ++i) fans.emplace_back(fan, i);
  for (auto& t : fans) t.join();

  for (const auto& [key, ids] : outcomes.reservation_ids_by_key) {
    EXPECT_EQ(ids.size(), 1u) << "duplicate clicks with " << key << " created " << ids.size() << " reservations";
  }
  EXPECT_FALSE(outcomes.statuses.contains(500));
  std::string summary;
  for (const auto& [status, n] : outcomes.statuses) summary += " " + std::to_string(status) + "x" + std::to_string(n);
  std::cout << "answers:" << summary << "\n";

  // SIGTERM flushes the outbox before exit; then read what the server left behind.
  ASSERT_EQ(server->terminate(), 0) << server->log_tail();
  server.reset();
  auto store = adapters::sqlite::open_sqlite_store({dir.file("data") + "/concertd.db", 2, std::chrono::seconds(5)});
  audit::InvariantInputs in;
  in.store = store.get();
  in.schedule_ids = {schedule_id};
  in.ledger_paths = {dir.file("data") + "/sandbox-gateway.jsonl"};
  in.published_event_ids = audit::read_jsonl_event_ids(dir.file("data") + "/events.jsonl");
  auto report = audit::check_invariants(in);
  EXPECT_TRUE(report.ok()) << report.describe();

  auto tx = store->begin(ports::TxMode::Read);
  int sold = 0, paid_seats = 0, paid = 0;
  for (const auto& s : tx->list_seats(schedule_id)) sold += s.status == domain::SeatStatus::Sold;
  for (const auto& r : tx->list_reservations(schedule_id)) {
    if (r.status == domain::ReservationStatus::Paid) {
      ++paid;
      paid_seats += static_cast<int>(r.seat_ids.size());
    }
  }
  EXPECT_EQ(sold, paid_seats);
  EXPECT_LE(sold, kSeats);
  EXPECT_GT(paid, 0) << "nobody managed to buy: the race did not happen";
}

}  // namespace
}  // namespace concert::testing
