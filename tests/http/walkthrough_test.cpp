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

// Catalogue reads are kept for a second, but this instance's own admin writes
// show at once.
TEST_F(Walkthrough, TheCatalogueShowsThisInstancesAdminWritesAtOnce) {
  ASSERT_EQ(client->get("/api/v1/concerts").json()["items"].size(), 1u);  // now kept
  EXPECT_EQ(client->get("/api/v1/concerts/2").status, 404);                // kept too
  auto created = client->post("/api/v1/admin/concerts", R"({"title":"Encore"})", admin());
  ASSERT_EQ(created.status, 201) << created.body;
  const auto id = std::to_string(created.json()["id"].get<std::int64_t>());
  EXPECT_EQ(client->get("/api/v1/concerts").json()["items"].size(), 2u);
  EXPECT_EQ(client->get("/api/v1/concerts/" + id).status, 200);
  EXPECT_EQ(client->get("/api/v1/concerts/" + id + "/schedules").json()["items"].size(), 0u);
  auto schedule = client->post("/api/v1/admin/concerts/" + id + "/schedules",
                               R"({"startsAt":"2031-01-01T00:00:00Z","salesOpenAt":"2020-01-01T00:00:00Z",
                                   "salesCloseAt":"2031-01-01T00:00:00Z",
                                   "sections":[{"name":"A","grade":"R","price":1000,"rows":1,"seatsPerRow":2}]})",
                               admin());
  ASSERT_EQ(schedule.status, 201) << schedule.body;
  auto listed = client->get("/api/v1/concerts/" + id + "/schedules").json()["items"];
  ASSERT_EQ(listed.size(), 1u);
  const auto schedule_id = std::to_string(schedule.json()["id"].get<std::int64_t>());
  auto tuned = client->request("PATCH", "/api/v1/admin/schedules/" + schedule_id + "/queue", R"({"maxActive":7})",
                               admin());
  ASSERT_EQ(tuned.status, 200) << tuned.body;
  EXPECT_EQ(client->get("/api/v1/concerts/" + id + "/schedules").json()["items"][0], tuned.json());
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
