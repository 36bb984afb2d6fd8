// SPEC §6 shutdown against a real concertd: on SIGTERM /readyz answers 503 at
// once while requests are still served (each answer closing its connection),
// for drain_ms; then the port closes, a request in flight is answered, and the
// process exits 0. A second SIGTERM stops it without waiting out the drain.
#include <csignal>
#include <future>
#include <thread>

#include "http_fixture.hpp"
#include "support/raw_connection.hpp"

namespace concert::testing {
namespace {

using namespace std::chrono_literals;

class Drain : public HttpTest {
 protected:
  // A payment takes 600 ms at the gateway: one can be in flight when the drain ends.
  std::string config_json() const override {
    return R"({"promotion_interval_ms": 20, "admit_per_second": 1000, "max_active": 10000, "drain_ms": 1500,
               "sandbox_latency_ms": 600})";
  }
};

TEST_F(Drain, SigtermDrainsThenFinishesWhatIsInFlightAndExitsZero) {
  const auto token = admit("alice");
  auto h = auth("alice");
  h.emplace_back("Queue-Token", token);
  h.emplace_back("Idempotency-Key", "hold-1");
  const auto hold = client->post("/api/v1/reservations", R"({"scheduleId":1,"seatIds":[1]})", h);
  ASSERT_EQ(hold.status, 201) << hold.body;
  ASSERT_EQ(client->get("/readyz").status, 200);

  const auto port = server->port();
  const auto signalled = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(server->pid(), SIGTERM), 0);
  std::this_thread::sleep_for(100ms);
  const auto ready = client->get("/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.json()["code"], "draining");
  // Still serving, on new connections too, and telling clients to go elsewhere next time.
  HttpClient fresh("127.0.0.1", server->port());
  const auto concerts = fresh.get("/api/v1/concerts");
  EXPECT_EQ(concerts.status, 200);
  EXPECT_EQ(concerts.header("Connection"), "close");

  // A payment sent near the drain's end (600 ms at the gateway) is answered in full.
  std::this_thread::sleep_until(signalled + 1200ms);
  auto pay = auth("alice");
  pay.emplace_back("Idempotency-Key", "pay-1");
  const auto body = R"({"reservationId":)" + std::to_string(hold.json()["reservationId"].get<int>()) + "}";
  auto in_flight = std::async(std::launch::async, [this, pay, body] {
    HttpClient late("127.0.0.1", server->port());
    return late.post("/api/v1/payments", body, pay);
  });
  const auto paid = in_flight.get();
  EXPECT_EQ(paid.status, 201) << paid.body;
  EXPECT_EQ(paid.json()["status"], "APPROVED");

  EXPECT_EQ(server->wait_exit(10s), 0) << server->log_tail();
  EXPECT_GE(std::chrono::steady_clock::now() - signalled, 1500ms);  // it served the whole drain
  RawConn after(port);
  EXPECT_FALSE(after.connected());
  server.reset();
}

TEST_F(Drain, ASecondSigtermStopsWithoutWaitingOutTheDrain) {
  ASSERT_EQ(::kill(server->pid(), SIGTERM), 0);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(client->get("/readyz").status, 503);
  const auto second = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(server->pid(), SIGTERM), 0);
  EXPECT_EQ(server->wait_exit(10s), 0) << server->log_tail();
  EXPECT_LT(std::chrono::steady_clock::now() - second, 1400ms);  // not the remaining drain
  server.reset();
}

}  // namespace
}  // namespace concert::testing
