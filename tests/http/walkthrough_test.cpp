// The README's curl walkthrough, step by step, against a real concertd.
#include <thread>

#include "http_fixture.hpp"

namespace concert::testing {
namespace {

class Walkthrough : public HttpTest {};

TEST_F(Walkthrough, EnterPollHoldPayRead) {
  auto concerts = client->get("/api/v1/concerts");
  ASSERT_EQ(concerts.status, 200);
  ASSERT_EQ(concerts.json()["items"].size(), 1u);
  auto schedules = client->get("/api/v1/concerts/1/schedules");
  ASSERT_EQ(schedules.status, 200);
  ASSERT_EQ(schedules.json()["items"].size(), 2u);
  auto seats = client->get("/api/v1/schedules/1/seats");
  ASSERT_EQ(seats.status, 200);
  ASSERT_EQ(seats.json()["seats"].size(), 1000u);
  EXPECT_EQ(client->get("/api/v1/schedules/1/seats", {{"If-None-Match", seats.header("ETag")}}).status, 304);

  const auto token = admit("alice");
  auto headers = auth("alice");
  headers.emplace_back("Queue-Token", token);
  headers.emplace_back("Idempotency-Key", "hold-1");
  auto hold = client->post("/api/v1/reservations", R"({"scheduleId":1,"seatIds":[1,2]})", headers);
  ASSERT_EQ(hold.status, 201) << hold.body;
  EXPECT_EQ(hold.json()["status"], "HELD");
  EXPECT_EQ(hold.json()["amount"], 440000);
  const auto reservation_id = hold.json()["reservationId"].get<std::int64_t>();
  EXPECT_NE(client->get("/api/v1/schedules/1/seats").header("ETag"), seats.header("ETag"));

  auto pay_headers = auth("alice");
  pay_headers.emplace_back("Idempotency-Key", "pay-1");
  const auto pay_body = R"({"reservationId":)" + std::to_string(reservation_id) + "}";
  auto pay = client->post("/api/v1/payments", pay_body, pay_headers);
  ASSERT_EQ(pay.status, 201) << pay.body;
  EXPECT_EQ(pay.json()["status"], "APPROVED");
  auto replay = client->post("/api/v1/payments", pay_body, pay_headers);
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.header("Idempotent-Replayed"), "true");
  EXPECT_EQ(replay.body, pay.body);

  auto read = client->get("/api/v1/reservations/" + std::to_string(reservation_id), auth("alice"));
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.json()["status"], "PAID");
  auto payment = client->get("/api/v1/payments/" + pay.json()["paymentId"].dump(), auth("alice"));
  EXPECT_EQ(payment.status, 200);
  EXPECT_EQ(payment.json()["status"], "APPROVED");
}

TEST_F(Walkthrough, OperationalEndpointsAnswer) {
  EXPECT_EQ(client->get("/healthz").status, 200);
  EXPECT_EQ(client->get("/readyz").status, 200);
  auto metrics = client->get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("concertd_http_requests_total"), std::string::npos);
  auto kpis = client->get("/api/v1/admin/kpis", admin());
  ASSERT_EQ(kpis.status, 200) << kpis.body;
  EXPECT_TRUE(kpis.json().contains("queueLength"));
  EXPECT_TRUE(kpis.json().contains("p95WaitSeconds"));
}

}  // namespace
}  // namespace concert::testing
