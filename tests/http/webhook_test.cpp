// POST /api/v1/webhooks/pg through the real server: only a callback signed with
// the webhook secret is read; a re-sent one changes nothing; one that does not
// match its payment is refused with a clear problem and changes nothing either.
#include "http_fixture.hpp"
#include "platform/webhook_signature.hpp"

namespace concert::testing {
namespace {

class Webhooks : public HttpTest {
 protected:
  // A fan's held and paid seat; the sandbox gateway approves it at once.
  nlohmann::json paid_payment(const std::string& user, int seat) {
    auto h = auth(user);
    h.emplace_back("Queue-Token", admit(user));
    h.emplace_back("Idempotency-Key", "hold-" + user);
    auto held = client->post("/api/v1/reservations", R"({"scheduleId":1,"seatIds":[)" + std::to_string(seat) + "]}", h);
    EXPECT_EQ(held.status, 201) << held.body;
    auto p = auth(user);
    p.emplace_back("Idempotency-Key", "pay-" + user);
    auto paid = client->post("/api/v1/payments",
                             nlohmann::json{{"reservationId", held.json()["reservationId"]}}.dump(), p);
    EXPECT_EQ(paid.status, 201) << paid.body;
    return paid.json();
  }
  static std::string report(const nlohmann::json& payment, const std::string& outcome = "APPROVED") {
    return nlohmann::json{{"paymentId", payment["paymentId"]},
                          {"gatewayTxId", payment["gatewayTxId"]},
                          {"outcome", outcome},
                          {"amount", payment["amount"]}}
        .dump();
  }
  Reply send(const std::string& body, const std::string& secret = kTestWebhookSecret,
             std::chrono::system_clock::time_point at = std::chrono::system_clock::now()) {
    return client->post("/api/v1/webhooks/pg", body, {{"PG-Signature", platform::sign_webhook(secret, body, at)}});
  }
  nlohmann::json payment_now(const std::string& user, const nlohmann::json& payment) {
    return client->get("/api/v1/payments/" + std::to_string(payment["paymentId"].get<std::int64_t>()), auth(user))
        .json();
  }
};

TEST_F(Webhooks, AReSentApprovalIsAcknowledgedAndChangesNothing) {
  const auto paid = paid_payment("alice", 5);
  const auto before = payment_now("alice", paid);
  for (int i = 0; i < 2; ++i) {
    auto ack = send(report(paid));
    ASSERT_EQ(ack.status, 200) << ack.body;
    EXPECT_EQ(ack.json()["status"], "APPROVED");
    EXPECT_EQ(ack.json()["reservation"]["status"], "PAID");
  }
  EXPECT_EQ(payment_now("alice", paid), before);
}

TEST_F(Webhooks, OnlyACallbackSignedWithTheSecretRecently) {
  const auto paid = paid_payment("alice", 6);
  const auto before = payment_now("alice", paid);
  const auto body = report(paid, "DECLINED");  // would contradict: must never be read
  const auto now = std::chrono::system_clock::now();
  for (const auto& refused : {send(body, "not-the-webhook-secret-0123456789"), send(body, kTestWebhookSecret,
                                                                                      now - std::chrono::minutes(6)),
                              client->post("/api/v1/webhooks/pg", body),
                              client->post("/api/v1/webhooks/pg", body + " ",
                                           {{"PG-Signature", platform::sign_webhook(kTestWebhookSecret, body, now)}})}) {
    EXPECT_EQ(refused.status, 401) << refused.body;
    EXPECT_EQ(refused.header("Content-Type"), "application/problem+json");
    EXPECT_EQ(refused.header("WWW-Authenticate"), "PG-Signature");
  }
  EXPECT_EQ(payment_now("alice", paid), before);
}

TEST_F(Webhooks, ACallbackThatDoesNotMatchItsPaymentIsRefused) {
  const auto paid = paid_payment("alice", 7);
  const auto before = payment_now("alice", paid);
  auto expect = [&](const Reply& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.json()["code"], code) << r.body;
  };
  expect(send(report(paid, "DECLINED")), 409, "invalid-state");  // it was approved
  auto other_tx = nlohmann::json::parse(report(paid));
  other_tx["gatewayTxId"] = "pg-someone-else";
  expect(send(other_tx.dump()), 409, "invalid-state");
  auto other_amount = nlohmann::json::parse(report(paid));
  other_amount["amount"] = paid["amount"].get<std::int64_t>() + 1;
  expect(send(other_amount.dump()), 400, "invalid-input");
  auto unknown = nlohmann::json::parse(report(paid));
  unknown["paymentId"] = 424242;
  expect(send(unknown.dump()), 404, "not-found");
  expect(send(R"({"paymentId":1,"gatewayTxId":"x","outcome":"MAYBE","amount":1})"), 400, "invalid-input");
  expect(send(R"({"paymentId":"1","gatewayTxId":"x","outcome":"APPROVED","amount":1})"), 400, "invalid-input");
  expect(send("not json"), 400, "invalid-input");
  EXPECT_EQ(payment_now("alice", paid), before);
}

}  // namespace
}  // namespace concert::testing
