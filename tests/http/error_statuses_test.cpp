// Every error status of SPEC §4 through the real server, and bad input of every
// kind: each answer is problem+json with a stable code, and nothing changes.
#include <thread>

#include "http_fixture.hpp"
#include "support/ledger_lines.hpp"

namespace concert::testing {
namespace {

class ErrorStatuses : public HttpTest {
 protected:
  void expect_problem(const Reply& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/problem+json") << r.body;
    if (r.header("Content-Type") == "application/problem+json") {
      auto j = r.json();
      EXPECT_EQ(j["code"], code) << r.body;
      EXPECT_EQ(j["status"], status);
      EXPECT_TRUE(j.contains("title") && j.contains("detail") && j.contains("type"));
    }
  }
  std::string seat_map_etag(int schedule = 1) {
    return client->get("/api/v1/schedules/" + std::to_string(schedule) + "/seats").header("ETag");
  }
  HeaderList hold_headers(const std::string& user, const std::string& token, const std::string& key) {
    auto h = auth(user);
    h.emplace_back("Queue-Token", token);
    h.emplace_back("Idempotency-Key", key);
    return h;
  }
  std::int64_t create_schedule(const std::string& sections, const std::string& open, const std::string& close,
                               const std::string& queue = R"({"admitPerSecond":1000,"maxActive":1000})") {
    auto concert = client->post("/api/v1/admin/concerts", R"({"title":"Extra"})", admin());
    const auto id = concert.json()["id"].get<std::int64_t>();
    const std::string body = R"({"startsAt":"2031-01-01T00:00:00Z","salesOpenAt":")" + open + R"(","salesCloseAt":")" +
                             close + R"(","sections":)" + sections + R"(,"queue":)" + queue + "}";
    auto s = client->post("/api/v1/admin/concerts/" + std::to_string(id) + "/schedules", body, admin());
    EXPECT_EQ(s.status, 201) << s.body;
    return s.json()["id"].get<std::int64_t>();
  }
};

TEST_F(ErrorStatuses, NotFoundMethodAndPath) {
  expect_problem(client->get("/api/v1/concerts/999"), 404, "not-found");
  expect_problem(client->get("/api/v1/concerts/999/schedules"), 404, "not-found");
  expect_problem(client->get("/api/v1/schedules/999/seats"), 404, "not-found");
  expect_problem(client->get("/api/v1/reservations/999", auth("alice")), 404, "not-found");
  expect_problem(client->get("/api/v1/payments/999", auth("alice")), 404, "not-found");
  expect_problem(client->get("/api/v1/nowhere"), 404, "not-found");
  const auto refused = client->request("DELETE", "/api/v1/concerts");
  expect_problem(refused, 405, "method-not-allowed");
  EXPECT_EQ(refused.header("Allow"), "GET");
  EXPECT_EQ(client->request("PUT", "/api/v1/reservations/1", "", auth("alice")).header("Allow"), "GET, DELETE");
  expect_problem(client->get("/api/v1/concerts/abc"), 400, "invalid-input");
  expect_problem(client->get("/api/v1/concerts/-1"), 400, "invalid-input");
}

TEST_F(ErrorStatuses, AuthenticationAndRoles) {
  const std::string path = "/api/v1/reservations/1";
  const auto anonymous = client->get(path);
  expect_problem(anonymous, 401, "unauthenticated");
  EXPECT_EQ(anonymous.header("WWW-Authenticate"), "Bearer");
  const auto garbage = client->get(path, {{"Authorization", "Bearer garbage"}});
  expect_problem(garbage, 401, "unauthenticated");
  EXPECT_EQ(garbage.header("WWW-Authenticate"), R"(Bearer error="invalid_token")");
  expect_problem(client->get(path, {{"Authorization", "Basic YWxpY2U6eA=="}}), 401, "unauthenticated");
  const auto wrong_secret = platform::mint_token("another-secret-0123456789abcdef", "alice", std::nullopt,
                                                 std::chrono::hours(1), std::chrono::system_clock::now());
  expect_problem(client->get(path, {{"Authorization", "Bearer " + wrong_secret}}), 401, "unauthenticated");
  const auto expired = platform::mint_token(kTestSecret, "alice", std::nullopt, std::chrono::seconds(1),
                                            std::chrono::system_clock::now() - std::chrono::hours(1));
  expect_problem(client->get(path, {{"Authorization", "Bearer " + expired}}), 401, "unauthenticated");
  // alg "none": header {"alg":"none","typ":"JWT"}, payload {"sub":"alice","exp":4102444800}, no signature.
  const std::string none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhbGljZSIsImV4cCI6NDEwMjQ0NDgwMH0.";
  expect_problem(client->get(path, {{"Authorization", "Bearer " + none}}), 401, "unauthenticated");
  expect_problem(client->get("/api/v1/admin/kpis", auth("alice")), 403, "forbidden");
  expect_problem(client->post("/api/v1/admin/concerts", R"({"title":"x"})", auth("alice")), 403, "forbidden");
}

TEST_F(ErrorStatuses, QueueStatuses) {
  auto first = client->post("/api/v1/schedules/1/queue", "", auth("alice"));
  EXPECT_EQ(first.status, 201);
  auto again = client->post("/api/v1/schedules/1/queue", "", auth("alice"));
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.json()["token"], first.json()["token"]);
  expect_problem(client->post("/api/v1/schedules/999/queue", "", auth("alice")), 404, "not-found");
  expect_problem(client->get("/api/v1/queue/status", {auth("alice")[0], {"Queue-Token", "qt_nope"}}), 404, "not-found");
  expect_problem(client->get("/api/v1/queue/status", auth("alice")), 400, "invalid-input");
  const auto token = first.json()["token"].get<std::string>();
  // Someone else's token looks unknown.
  expect_problem(client->get("/api/v1/queue/status", {auth("bob")[0], {"Queue-Token", token}}), 404, "not-found");
  EXPECT_EQ(client->request("DELETE", "/api/v1/queue", "", {auth("alice")[0], {"Queue-Token", token}}).status, 204);
  expect_problem(client->get("/api/v1/queue/status", {auth("alice")[0], {"Queue-Token", token}}), 404, "not-found");

  const auto closed = create_schedule(R"([{"name":"A","grade":"R","price":1000,"rows":1,"seatsPerRow":2}])",
                                      "2020-01-01T00:00:00Z", "2020-06-01T00:00:00Z");
  expect_problem(client->post("/api/v1/schedules/" + std::to_string(closed) + "/queue", "", auth("alice")), 409,
                 "sales-closed");
}

TEST_F(ErrorStatuses, HoldStatusesChangeNothingWhenRefused) {
  const auto etag = seat_map_etag();
  const std::string body = R"({"scheduleId":1,"seatIds":[1,2]})";
  auto no_token = auth("alice");
  no_token.emplace_back("Idempotency-Key", "k0");
  expect_problem(client->post("/api/v1/reservations", body, no_token), 403, "token-not-active");
  const auto token = admit("alice");
  expect_problem(client->post("/api/v1/reservations", body, {auth("alice")[0], {"Queue-Token", token}}), 400,
                 "invalid-input");  // no Idempotency-Key
  expect_problem(client->post("/api/v1/reservations", R"({"scheduleId":1,"seatIds":[999999]})",
                              hold_headers("alice", token, "k1")),
                 422, "bad-seats");
  expect_problem(client->post("/api/v1/reservations", R"({"scheduleId":1,"seatIds":[1,2,3,4,5]})",
                              hold_headers("alice", token, "k2")),
                 422, "bad-seats");
  expect_problem(
      client->post("/api/v1/reservations", R"({"scheduleId":1,"seatIds":[1,1]})", hold_headers("alice", token, "k3")),
      422, "bad-seats");
  EXPECT_EQ(seat_map_etag(), etag);  // refused holds changed nothing

  auto held = client->post("/api/v1/reservations", body, hold_headers("alice", token, "k4"));
  ASSERT_EQ(held.status, 201) << held.body;
  const auto bob = admit("bob");
  expect_problem(
      client->post("/api/v1/reservations", R"({"scheduleId":1,"seatIds":[2,3]})", hold_headers("bob", bob, "b1")), 409,
      "seat-taken");
  expect_problem(
      client->post("/api/v1/reservations", R"({"scheduleId":1,"seatIds":[3,4,5]})", hold_headers("alice", token, "k5")),
      409, "seat-limit-reached");
  // Same key, other body: 422; same key, same body: the stored answer again.
  expect_problem(
      client->post("/api/v1/reservations", R"({"scheduleId":1,"seatIds":[7]})", hold_headers("alice", token, "k4")),
      422, "idempotency-key-reused");
  auto replay = client->post("/api/v1/reservations", body, hold_headers("alice", token, "k4"));
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.header("Idempotent-Replayed"), "true");
  EXPECT_EQ(replay.body, held.body);

  const auto id = std::to_string(held.json()["reservationId"].get<std::int64_t>());
  expect_problem(client->request("DELETE", "/api/v1/reservations/" + id, "", auth("bob")), 404, "not-found");
  EXPECT_EQ(client->request("DELETE", "/api/v1/reservations/" + id, "", auth("alice")).status, 200);
  expect_problem(client->request("DELETE", "/api/v1/reservations/" + id, "", auth("alice")), 409, "invalid-state");
}

TEST_F(ErrorStatuses, PaymentStatuses) {
  // One seat over the sandbox's 1,000,000 KRW limit: the gateway declines it.
  const auto pricey = create_schedule(R"([{"name":"P","grade":"VIP","price":2000000,"rows":1,"seatsPerRow":2}])",
                                      "2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z");
  const auto token = admit("alice", pricey);
  const auto seats = client->get("/api/v1/schedules/" + std::to_string(pricey) + "/seats").json()["seats"];
  auto held =
      client->post("/api/v1/reservations", nlohmann::json{{"scheduleId", pricey}, {"seatIds", {seats[0]["id"]}}}.dump(),
                   hold_headers("alice", token, "h1"));
  ASSERT_EQ(held.status, 201) << held.body;
  const std::string pay_body = nlohmann::json{{"reservationId", held.json()["reservationId"]}}.dump();
  auto pay_headers = auth("alice");
  pay_headers.emplace_back("Idempotency-Key", "p1");
  expect_problem(client->post("/api/v1/payments", pay_body, pay_headers), 402, "payment-declined");
  auto replay = client->post("/api/v1/payments", pay_body, pay_headers);  // errors are replayed too
  EXPECT_EQ(replay.status, 402);
  EXPECT_EQ(replay.header("Idempotent-Replayed"), "true");
  expect_problem(client->post("/api/v1/payments", R"({"reservationId":424242})", pay_headers), 422,
                 "idempotency-key-reused");
  expect_problem(client->post("/api/v1/payments", pay_body, auth("alice")), 400, "invalid-input");

  // A normal purchase, then refund twice.
  const auto t1 = admit("carol");
  auto ok = client->post("/api/v1/reservations", R"({"scheduleId":1,"seatIds":[10]})", hold_headers("carol", t1, "c1"));
  ASSERT_EQ(ok.status, 201);
  auto carol_pay = auth("carol");
  carol_pay.emplace_back("Idempotency-Key", "cp1");
  auto paid =
      client->post("/api/v1/payments", nlohmann::json{{"reservationId", ok.json()["reservationId"]}}.dump(), carol_pay);
  ASSERT_EQ(paid.status, 201) << paid.body;
  const auto refund_path = "/api/v1/payments/" + paid.json()["paymentId"].dump() + "/refund";
  auto r1 = auth("carol");
  r1.emplace_back("Idempotency-Key", "r1");
  EXPECT_EQ(client->post(refund_path, "", r1).status, 200);
  EXPECT_EQ(client->post(refund_path, "", r1).header("Idempotent-Replayed"), "true");
  auto r2 = auth("carol");
  r2.emplace_back("Idempotency-Key", "r2");
  expect_problem(client->post(refund_path, "", r2), 409, "invalid-state");
}

// The refund's key is claimed before the gateway is called: a key that refunded
// one payment is refused for another (422), which stays APPROVED, its seat sold,
// and the gateway's ledger shows one refund only.
TEST_F(ErrorStatuses, ARefundKeyReusedForAnotherPaymentRefundsNothing) {
  std::vector<std::string> payment_ids;
  for (const int seat : {20, 21}) {
    const auto token = admit("dave");  // a payment uses the token up
    auto held = client->post("/api/v1/reservations", nlohmann::json{{"scheduleId", 1}, {"seatIds", {seat}}}.dump(),
                             hold_headers("dave", token, "h" + std::to_string(seat)));
    ASSERT_EQ(held.status, 201) << held.body;
    auto pay_headers = auth("dave");
    pay_headers.emplace_back("Idempotency-Key", "p" + std::to_string(seat));
    auto paid = client->post("/api/v1/payments", nlohmann::json{{"reservationId", held.json()["reservationId"]}}.dump(),
                             pay_headers);
    ASSERT_EQ(paid.status, 201) << paid.body;
    payment_ids.push_back(paid.json()["paymentId"].dump());
  }
  auto key = auth("dave");
  key.emplace_back("Idempotency-Key", "K");
  EXPECT_EQ(client->post("/api/v1/payments/" + payment_ids[0] + "/refund", "", key).status, 200);
  expect_problem(client->post("/api/v1/payments/" + payment_ids[1] + "/refund", "", key), 422,
                 "idempotency-key-reused");
  EXPECT_EQ(client->get("/api/v1/payments/" + payment_ids[1], auth("dave")).json()["status"], "APPROVED");
  const auto seats = client->get("/api/v1/schedules/1/seats").json()["seats"];
  EXPECT_EQ(seats[20]["status"], "SOLD");  // seat 21
  EXPECT_EQ(ledger_lines(dir.file("data") + "/sandbox-gateway.jsonl", "refund"), 1);
}

TEST_F(ErrorStatuses, BadInputGetsProblemAndChangesNothing) {
  const auto etag = seat_map_etag();
  const auto token = admit("alice");
  const std::vector<std::string> bodies{"{",
                                        "[]",
                                        "42",
                                        R"({"scheduleId":"1","seatIds":[1]})",
                                        R"({"scheduleId":1.5,"seatIds":[1]})",
                                        R"({"scheduleId":1,"seatIds":"1"})",
                                        R"({"scheduleId":1,"seatIds":[1.5]})",
                                        R"({"scheduleId":1})",
                                        R"({"scheduleId":99999999999999999999,"seatIds":[1]})"};
  int n = 0;
  for (const auto& body : bodies) {
    expect_problem(
        client->post("/api/v1/reservations", body, hold_headers("alice", token, "bad" + std::to_string(n++))), 400,
        "invalid-input");
  }
  expect_problem(client->post("/api/v1/admin/concerts", R"({"title":""})", admin()), 400, "invalid-input");
  expect_problem(client->post("/api/v1/admin/concerts", R"({"title":7})", admin()), 400, "invalid-input");
  expect_problem(client->post("/api/v1/admin/concerts/1/schedules", R"({"startsAt":"tomorrow"})", admin()), 400,
                 "invalid-input");
  expect_problem(client->request("PATCH", "/api/v1/admin/schedules/1/queue", R"({"admitPerSecond":0})", admin()), 400,
                 "invalid-input");
  auto tuned = client->request("PATCH", "/api/v1/admin/schedules/1/queue", R"({"admitPerSecond":77})", admin());
  EXPECT_EQ(tuned.status, 200) << tuned.body;
  EXPECT_EQ(tuned.json()["queue"]["admitPerSecond"], 77);

  const std::string huge(70 * 1024, 'x');
  expect_problem(client->post("/api/v1/reservations", huge, hold_headers("alice", token, "huge")), 413,
                 "payload-too-large");
  auto reply = client->raw_exchange("GARBAGE\r\n\r\n", std::chrono::seconds(2));
  EXPECT_NE(reply.find("400"), std::string::npos) << reply;
  const std::string big_header =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20 * 1024, 'a') + "\r\n\r\n";
  reply = client->raw_exchange(big_header, std::chrono::seconds(2));
  EXPECT_NE(reply.find("431"), std::string::npos) << reply.substr(0, 200);

  EXPECT_EQ(seat_map_etag(), etag);
  EXPECT_EQ(client->get("/healthz").status, 200);
}

class SlowClients : public HttpTest {
 protected:
  std::string config_json() const override { return R"({"read_timeout_ms": 300, "idle_timeout_ms": 1000})"; }
};

TEST_F(SlowClients, AHalfSentRequestGets408AndOthersAreServed) {
  const auto started = std::chrono::steady_clock::now();
  auto reply = client->raw_exchange("GET /healthz HTTP/1.1\r\nHo", std::chrono::seconds(5));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_EQ(reply.rfind("HTTP/1.1 408 ", 0), 0u) << reply;
  EXPECT_NE(reply.find("request-timeout"), std::string::npos) << reply;
  EXPECT_EQ(client->get("/healthz").status, 200);
}

class ExpiringHolds : public HttpTest {
 protected:
  std::string config_json() const override {
    return R"({"promotion_interval_ms": 20, "sweep_interval_ms": 100, "hold_ttl_seconds": 1,
               "admit_per_second": 1000, "max_active": 10000})";
  }
};

TEST_F(ExpiringHolds, PayingAnExpiredHoldIsGoneAndTheSeatsComeBackWithinTwoSeconds) {
  const auto token = admit("alice");
  auto h = auth("alice");
  h.emplace_back("Queue-Token", token);
  h.emplace_back("Idempotency-Key", "h");
  auto held = client->post("/api/v1/reservations", R"({"scheduleId":1,"seatIds":[5]})", h);
  ASSERT_EQ(held.status, 201) << held.body;
  const auto id = std::to_string(held.json()["reservationId"].get<std::int64_t>());
  std::string status;
  for (int i = 0; i < 300 && status != "EXPIRED"; ++i) {  // expiry 1 s + sweep 0.1 s, well within I6's 2 s
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    status = client->get("/api/v1/reservations/" + id, auth("alice")).json()["status"];
  }
  ASSERT_EQ(status, "EXPIRED");
  auto seats = client->get("/api/v1/schedules/1/seats").json()["seats"];
  EXPECT_EQ(seats[4]["status"], "AVAILABLE");
  auto pay = auth("alice");
  pay.emplace_back("Idempotency-Key", "p");
  auto r = client->post("/api/v1/payments", R"({"reservationId":)" + id + "}", pay);
  EXPECT_EQ(r.status, 410) << r.body;
  EXPECT_EQ(r.json()["code"], "hold-expired");
}

}  // namespace
}  // namespace concert::testing
