// The gateway API of a real concert-pgsim process (docs/payment-gateway.md):
// charges, declines, idempotency by key and by order id, refunds, look-ups,
// authentication, and the ledger that records it all.
#include <cstdlib>

#include "pgsim_fixture.hpp"

namespace concert::testing {
namespace {

using Api = PgsimTest;

TEST_F(Api, AnApprovedChargeAnswersDoneWithAGatewayKeyAndIsInTheLedger) {
  start();
  auto r = charge("pay-1", "pay-1", 120000);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto j = r.json();
  EXPECT_EQ(j["status"], "DONE");
  EXPECT_EQ(j["orderId"], "pay-1");
  EXPECT_EQ(j["totalAmount"], 120000);
  EXPECT_EQ(j["balanceAmount"], 120000);
  EXPECT_EQ(j["metadata"]["paymentId"], "42");
  EXPECT_EQ(j["cancels"], nlohmann::json::array());
  EXPECT_TRUE(j["approvedAt"].is_string());
  const auto key = j["paymentKey"].get<std::string>();
  EXPECT_TRUE(key.starts_with("pgsim_")) << key;
  EXPECT_NE(key, "pay-1");  // the gateway's own id, not the one concertd sent

  const auto lines = ledger();
  ASSERT_EQ(lines.size(), 1u) << lines;
  EXPECT_EQ(lines[0]["kind"], "charge");
  EXPECT_EQ(lines[0]["idempotencyKey"], "pay-1");
  EXPECT_EQ(lines[0]["orderId"], "pay-1");
  EXPECT_EQ(lines[0]["amount"], 120000);
  EXPECT_EQ(lines[0]["gatewayTxId"], key);
  EXPECT_EQ(lines[0]["outcome"], "APPROVED");
  EXPECT_TRUE(lines[0]["at"].is_string());
}

TEST_F(Api, AChargeOverTheLimitIsDeclinedAndRecordedAsAborted) {
  start({"--decline-over", "50000"});
  EXPECT_EQ(charge("pay-ok", "pay-ok", 50000).status, 200);
  auto r = charge("pay-big", "pay-big", 50001);
  ASSERT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(r.json()["code"], "REJECT_CARD_PAYMENT");
  EXPECT_FALSE(r.json()["message"].get<std::string>().empty());

  const auto lines = ledger();
  ASSERT_EQ(lines.size(), 2u) << lines;
  EXPECT_EQ(lines[1]["outcome"], "DECLINED");
  EXPECT_EQ(lines[1]["idempotencyKey"], "pay-big");

  auto found = lookup("pay-big");
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.json()["status"], "ABORTED");
  EXPECT_EQ(found.json()["failure"]["code"], "REJECT_CARD_PAYMENT");
}

TEST_F(Api, TheSameKeyTwiceGetsTheFirstAnswerAndOneLedgerLine) {
  start({"--decline-over", "1000"});
  auto first = charge("pay-1", "pay-1", 900);
  auto again = charge("pay-1", "pay-1", 900);
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json(), first.json());

  auto declined = charge("pay-2", "pay-2", 5000);
  auto declined_again = charge("pay-2", "pay-2", 5000);
  ASSERT_EQ(declined.status, 403);
  EXPECT_EQ(declined_again.status, 403);
  EXPECT_EQ(declined_again.json(), declined.json());

  EXPECT_EQ(ledger().size(), 2u);
}

TEST_F(Api, AnOrderIdChargedUnderAnotherKeyIsAlreadyProcessed) {
  start();
  ASSERT_EQ(charge("key-a", "order-1", 1000).status, 200);
  auto r = charge("key-b", "order-1", 1000);
  ASSERT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.json()["code"], "ALREADY_PROCESSED_PAYMENT");
  EXPECT_EQ(ledger().size(), 1u);
}

TEST_F(Api, ARefundIsIdempotentByKeyAndASecondRefundIsAlreadyCanceled) {
  start();
  const auto paid = charge("pay-1", "pay-1", 120000).json();
  const auto payment_key = paid["paymentKey"].get<std::string>();

  auto refunded = cancel(payment_key, "refund-1");
  ASSERT_EQ(refunded.status, 200) << refunded.body;
  const auto j = refunded.json();
  EXPECT_EQ(j["status"], "CANCELED");
  EXPECT_EQ(j["paymentKey"], payment_key);
  EXPECT_EQ(j["balanceAmount"], 0);
  ASSERT_EQ(j["cancels"].size(), 1u);
  EXPECT_EQ(j["cancels"][0]["cancelAmount"], 120000);
  EXPECT_TRUE(j["cancels"][0]["transactionKey"].is_string());
  EXPECT_TRUE(j["cancels"][0]["canceledAt"].is_string());

  auto again = cancel(payment_key, "refund-1");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json(), j);

  auto other = cancel(payment_key, "refund-other");
  ASSERT_EQ(other.status, 400) << other.body;
  EXPECT_EQ(other.json()["code"], "ALREADY_CANCELED_PAYMENT");

  const auto lines = ledger();
  ASSERT_EQ(lines.size(), 2u) << lines;
  EXPECT_EQ(lines[1]["kind"], "refund");
  EXPECT_EQ(lines[1]["idempotencyKey"], "refund-1");
  EXPECT_EQ(lines[1]["amount"], 120000);
  EXPECT_EQ(lines[1]["gatewayTxId"], payment_key);  // pairs with its charge's line
  EXPECT_EQ(lines[1]["outcome"], "APPROVED");

  // A charge retried after its refund still gets the answer it got first.
  auto recharged = charge("pay-1", "pay-1", 120000);
  EXPECT_EQ(recharged.json()["status"], "DONE");
  EXPECT_EQ(ledger().size(), 2u);
}

TEST_F(Api, APartialCancelRecordsItsAmount) {
  start();
  const auto payment_key = charge("pay-1", "pay-1", 10000).json()["paymentKey"].get<std::string>();
  auto too_much = cancel(payment_key, "refund-1", 10001);
  EXPECT_EQ(too_much.status, 403) << too_much.body;
  auto part = cancel(payment_key, "refund-1", 4000);
  ASSERT_EQ(part.status, 200) << part.body;
  EXPECT_EQ(part.json()["balanceAmount"], 6000);
  EXPECT_EQ(ledger()[1]["amount"], 4000);
}

TEST_F(Api, RefundingWhatWasNeverChargedOrWasDeclined) {
  start({"--decline-over", "10"});
  auto unknown = cancel("pgsim_unknown", "refund-1");
  ASSERT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(unknown.json()["code"], "NOT_FOUND_PAYMENT");

  charge("pay-1", "pay-1", 11);
  const auto aborted_key = lookup("pay-1").json()["paymentKey"].get<std::string>();
  auto declined = cancel(aborted_key, "refund-2");
  EXPECT_EQ(declined.status, 403) << declined.body;
  EXPECT_EQ(declined.json()["code"], "NOT_CANCELABLE_PAYMENT");
  EXPECT_EQ(ledger().size(), 1u);
}

TEST_F(Api, ALookUpByOrderIsNotFoundThenTheChargeThenTheRefund) {
  start();
  auto missing = lookup("pay-9");
  ASSERT_EQ(missing.status, 404) << missing.body;
  EXPECT_EQ(missing.json()["code"], "NOT_FOUND_PAYMENT");

  const auto paid = charge("pay-9", "pay-9", 3000).json();
  auto found = lookup("pay-9");
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.json()["status"], "DONE");
  EXPECT_EQ(found.json()["paymentKey"], paid["paymentKey"]);

  cancel(paid["paymentKey"].get<std::string>(), "refund-9");
  found = lookup("pay-9");
  EXPECT_EQ(found.json()["status"], "CANCELED");
  EXPECT_EQ(found.json()["cancels"].size(), 1u);
}

TEST_F(Api, OnlyTheSecretOpensTheGateway) {
  start();
  const auto body = charge_body("pay-1", 1000);
  auto none = client->post("/v1/payments/confirm", body, {{"Idempotency-Key", "pay-1"}});
  ASSERT_EQ(none.status, 401) << none.body;
  EXPECT_EQ(none.json()["code"], "UNAUTHORIZED_KEY");
  EXPECT_TRUE(none.json()["message"].is_string());

  auto wrong = client->post("/v1/payments/confirm", body, headers("pay-1", "not-the-secret"));
  EXPECT_EQ(wrong.status, 401) << wrong.body;
  auto with_newline = client->post("/v1/payments/confirm", body, headers("pay-1", std::string(kPgSecret) + "\n"));
  EXPECT_EQ(with_newline.status, 401) << with_newline.body;
  auto bearer = client->post("/v1/payments/confirm", body,
                             {{"Authorization", std::string("Bearer ") + kPgSecret}, {"Idempotency-Key", "pay-1"}});
  EXPECT_EQ(bearer.status, 401) << bearer.body;
  EXPECT_EQ(client->get("/v1/payments/orders/pay-1").status, 401);

  EXPECT_EQ(ledger().size(), 0u);  // the audit list needs no secret
  EXPECT_EQ(client->get("/healthz").status, 200);
}

TEST_F(Api, WritesWithoutAnIdempotencyKeyOrWithABadBodyAreInvalid) {
  start();
  auto no_key = client->post("/v1/payments/confirm", charge_body("pay-1", 1000), headers());
  ASSERT_EQ(no_key.status, 400) << no_key.body;
  EXPECT_EQ(no_key.json()["code"], "INVALID_REQUEST");
  EXPECT_EQ(client->post("/v1/payments/confirm", "not json", headers("k1")).status, 400);
  EXPECT_EQ(client->post("/v1/payments/confirm", R"({"orderId":"x","amount":"12"})", headers("k2")).status, 400);
  EXPECT_EQ(client->post("/v1/payments/confirm", R"({"amount":12})", headers("k3")).status, 400);

  const auto payment_key = charge("pay-1", "pay-1", 1000).json()["paymentKey"].get<std::string>();
  auto cancel_no_key = client->post("/v1/payments/" + payment_key + "/cancel", R"({"cancelReason":"r"})", headers());
  EXPECT_EQ(cancel_no_key.status, 400) << cancel_no_key.body;
  EXPECT_EQ(client->post("/v1/payments/" + payment_key + "/cancel", "{}", headers("r1")).status, 400);
  EXPECT_EQ(client->get("/v1/nothing", headers()).status, 404);
  EXPECT_EQ(ledger().size(), 1u);
}

TEST_F(Api, TheSecretMayComeFromTheEnvironment) {
  ::setenv("PGSIM_SECRET", "from-the-environment", 1);
  start({"--listen", "127.0.0.1:0", "--ledger", dir.file("ledger.sqlite")}, /*with_defaults=*/false);
  ::unsetenv("PGSIM_SECRET");
  auto r = client->post("/v1/payments/confirm", charge_body("pay-1", 10), headers("pay-1", "from-the-environment"));
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(Api, WithoutASecretItRefusesToStart) {
  ::unsetenv("PGSIM_SECRET");
  EXPECT_THROW(start({"--listen", "127.0.0.1:0", "--ledger", dir.file("ledger.sqlite")}, /*with_defaults=*/false),
               std::runtime_error);
  const auto log = [&] {
    std::ifstream in(dir.file("pgsim-1.log"));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  EXPECT_NE(log.find("no gateway secret"), std::string::npos) << log;
}

}  // namespace
}  // namespace concert::testing
