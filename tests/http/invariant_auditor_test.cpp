// The continuous invariant auditor (SPEC §6) against a real concertd: a clean
// sale counts no violation; a seat sold behind the application's back (an I1
// violation, written into the database directly) is found within a few audit
// rounds and counted once, however many rounds see it again.
#include <sqlite3.h>

#include <thread>

#include "http_fixture.hpp"

namespace concert::testing {
namespace {

using namespace std::chrono_literals;

class InvariantAuditor : public HttpTest {
 protected:
  std::string config_json() const override {
    return R"({"promotion_interval_ms": 20, "admit_per_second": 1000, "max_active": 10000, "audit_interval_ms": 100,
               "limit_entry_address_per_second": 0, "limit_write_address_per_second": 0})";
  }

  double violations(const std::string& invariant) {
    const auto body = client->get("/metrics").body;
    const auto series = "concertd_invariant_violations_total{invariant=\"" + invariant + "\"} ";
    const auto at = body.find(series);
    return at == std::string::npos ? -1 : std::stod(body.substr(at + series.size()));
  }

  // What an operator's stray UPDATE, or a bug, would do: a seat SOLD with no reservation.
  void sell_seat_behind_the_apps_back(int seat) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.file("data") + "/concertd.db").c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    const auto sql = "UPDATE seats SET status = 'SOLD' WHERE id = " + std::to_string(seat);
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
};

TEST_F(InvariantAuditor, ASaleCountsNoneAndARowChangedBehindItsBackIsCountedOnce) {
  const auto token = admit("alice");
  auto h = auth("alice");
  h.emplace_back("Queue-Token", token);
  h.emplace_back("Idempotency-Key", "hold-1");
  ASSERT_EQ(client->post("/api/v1/reservations", R"({"scheduleId":1,"seatIds":[1,2]})", h).status, 201);
  std::this_thread::sleep_for(500ms);  // five audit rounds over the sale
  for (const char* i : {"I1", "I2", "I3", "I4", "I5", "I6"}) EXPECT_EQ(violations(i), 0) << i;

  sell_seat_behind_the_apps_back(7);
  for (int i = 0; i < 100 && violations("I1") < 1; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_EQ(violations("I1"), 1);
  std::this_thread::sleep_for(500ms);  // more rounds see it again
  EXPECT_EQ(violations("I1"), 1);
  EXPECT_EQ(violations("I2"), 0);
}

}  // namespace
}  // namespace concert::testing
