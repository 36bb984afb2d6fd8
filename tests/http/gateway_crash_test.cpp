// A real concertd paying through a real concert-pgsim (the HTTP gateway client,
// CONCERTD_PG_URL) and killed with -9 while the simulator holds its answer
// (issue 12): after a restart a retry settles the payment within seconds (the
// dead instance's key is taken over), or the reconciler settles it with nobody
// retrying; the simulator's ledger and the database agree — one charge, at most
// one refund.
#include <fstream>
#include <thread>

#include "http_fixture.hpp"
#include "support/raw_connection.hpp"

namespace concert::testing {
namespace {

constexpr const char* kGatewaySecret = "http-test-pgsim-secret-0123456789";

class GatewayCrash : public HttpTest {
 protected:
  // The reconciler looks soon after the longest a gateway call can take (one
  // 2.5 s attempt); the simulator holds every answer 1.5 s.
  std::string config_json() const override {
    return R"({"promotion_interval_ms": 20, "sweep_interval_ms": 100, "relay_interval_ms": 50,
               "admit_per_second": 1000, "max_active": 10000, "reconcile_interval_ms": 200,
               "reconcile_after_ms": 3000, "pg_timeout_ms": 2500, "pg_attempts": 1, "pg_backoff_ms": 0})";
  }

  void SetUp() override {
    std::ofstream(dir.file("pg-secret")) << kGatewaySecret << "\n";
    pgsim.emplace(ServerProcess::start(PGSIM_BINARY,
                                       {"--listen", "127.0.0.1:0", "--ledger", dir.file("pg-ledger.sqlite"),
                                        "--secret-file", dir.file("pg-secret"), "--latency-ms", "1500"},
                                       dir.file("pgsim.log")));
    ::setenv("CONCERTD_PG_URL", ("http://127.0.0.1:" + std::to_string(pgsim->port())).c_str(), 1);
    ::setenv("CONCERTD_PG_SECRET_FILE", dir.file("pg-secret").c_str(), 1);
    HttpTest::SetUp();
  }

  void TearDown() override {
    HttpTest::TearDown();
    ::unsetenv("CONCERTD_PG_URL");
    ::unsetenv("CONCERTD_PG_SECRET_FILE");
    if (pgsim) {
      EXPECT_EQ(pgsim->terminate(), 0) << pgsim->log_tail();
    }
  }

  // Sends the request and, while the simulator holds its answer, kills concertd.
  void kill_during(const std::string& target, const std::string& body, const HeaderList& headers) {
    RawConn conn(server->port());
    std::string request = "POST " + target + " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n";
    for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    ASSERT_TRUE(conn.send(request));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    server->kill9();
    server.reset();
    client.reset();
  }

  void restart() {
    server.emplace(ServerProcess::start(
        concertd_binary(),
        {"--listen", "127.0.0.1:0", "--data-dir", dir.file("data"), "--config", dir.file("config.json")},
        dir.file("restarted.log")));
    client = std::make_unique<HttpClient>("127.0.0.1", server->port());
  }

  // The simulator's ledger entries of `kind` under `key`.
  int ledger_entries(const std::string& kind, const std::string& key) {
    HttpClient pg("127.0.0.1", pgsim->port());
    const auto ledger = pg.get("/ledger").json();
    int n = 0;
    for (const auto& e : ledger) n += e.at("kind") == kind && e.at("idempotencyKey") == key;
    return n;
  }

  // Waits (bounded) for the simulator to record what the dead instance asked for.
  bool ledger_shows(const std::string& kind, const std::string& key) {
    for (int i = 0; i < 100; ++i) {
      if (ledger_entries(kind, key) > 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // Polls GET `target` until its "status" is `want`, for at most `limit`.
  bool becomes(const std::string& target, const std::string& want, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = client->get(target, auth("alice"));
      if (r.status == 200 && r.json().value("status", "") == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  std::int64_t hold_one_seat(int seat) {
    auto h = auth("alice");
    h.emplace_back("Queue-Token", admit("alice"));
    h.emplace_back("Idempotency-Key", "hold-" + std::to_string(seat));
    auto held = client->post("/api/v1/reservations", R"({"scheduleId":1,"seatIds":[)" + std::to_string(seat) + "]}", h);
    EXPECT_EQ(held.status, 201) << held.body;
    return held.json().at("reservationId").get<std::int64_t>();
  }

  static HeaderList keyed(const std::string& key) {
    auto h = auth("alice");
    h.emplace_back("Idempotency-Key", key);
    return h;
  }

  std::optional<ServerProcess> pgsim;
};

TEST_F(GatewayCrash, AChargeCutByKillNineIsSettledByTheRetryWithinSecondsWithOneCharge) {
  const auto reservation = hold_one_seat(5);
  const auto body = R"({"reservationId":)" + std::to_string(reservation) + "}";
  kill_during("/api/v1/payments", body, keyed("pay-key"));
  // The payment is the first one of this data dir: its gateway key is pay-1.
  ASSERT_TRUE(ledger_shows("charge", "pay-1"));
  restart();

  // 409 while the dead instance's heartbeat is fresh (3 s), then the retry takes
  // the key over; 20 s bounds it far below the 60 s staleness of an unknown owner.
  Reply paid;
  int conflicts = 0;
  for (int i = 0; i < 40; ++i) {
    paid = client->post("/api/v1/payments", body, keyed("pay-key"));
    if (paid.status != 409) break;
    ++conflicts;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  ASSERT_EQ(paid.status, 201) << paid.body;
  EXPECT_EQ(paid.json().at("status"), "APPROVED");
  EXPECT_LE(conflicts, 10);
  EXPECT_EQ(ledger_entries("charge", "pay-1"), 1);
  EXPECT_TRUE(becomes("/api/v1/reservations/" + std::to_string(reservation), "PAID", std::chrono::seconds(1)));
}

TEST_F(GatewayCrash, AChargeCutByKillNineNobodyRetriesIsSettledByTheReconciler) {
  const auto reservation = hold_one_seat(6);
  kill_during("/api/v1/payments", R"({"reservationId":)" + std::to_string(reservation) + "}", keyed("pay-key"));
  ASSERT_TRUE(ledger_shows("charge", "pay-1"));
  restart();
  EXPECT_TRUE(becomes("/api/v1/payments/1", "APPROVED", std::chrono::seconds(20)));
  EXPECT_TRUE(becomes("/api/v1/reservations/" + std::to_string(reservation), "PAID", std::chrono::seconds(1)));
  EXPECT_EQ(ledger_entries("charge", "pay-1"), 1);
}

TEST_F(GatewayCrash, ARefundCutByKillNineIsRefundedOnceByTheReconciler) {
  const auto reservation = hold_one_seat(7);
  auto paid =
      client->post("/api/v1/payments", R"({"reservationId":)" + std::to_string(reservation) + "}", keyed("pay-key"));
  ASSERT_EQ(paid.status, 201) << paid.body;
  const auto payment = std::to_string(paid.json().at("paymentId").get<std::int64_t>());
  kill_during("/api/v1/payments/" + payment + "/refund", "", keyed("refund-key"));
  ASSERT_TRUE(ledger_shows("refund", "refund-" + payment));
  restart();
  EXPECT_TRUE(becomes("/api/v1/payments/" + payment, "REFUNDED", std::chrono::seconds(20)));
  EXPECT_TRUE(becomes("/api/v1/reservations/" + std::to_string(reservation), "REFUNDED", std::chrono::seconds(1)));
  EXPECT_EQ(ledger_entries("charge", "pay-" + payment), 1);
  EXPECT_EQ(ledger_entries("refund", "refund-" + payment), 1);
  // The refund's key, retried now, answers as it ended and refunds nothing more.
  auto again = client->post("/api/v1/payments/" + payment + "/refund", "", keyed("refund-key"));
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(ledger_entries("refund", "refund-" + payment), 1);
}

}  // namespace
}  // namespace concert::testing
