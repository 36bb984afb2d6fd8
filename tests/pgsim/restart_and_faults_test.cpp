// What the simulator does when things go wrong: its idempotency survives its
// own kill -9, and its injected faults (errors, lost answers, latency) behave
// as docs/payment-gateway.md says, repeatably under one --seed.
#include "pgsim_fixture.hpp"

namespace concert::testing {
namespace {

using namespace std::chrono_literals;

using Restarts = PgsimTest;
using Faults = PgsimTest;

TEST_F(Restarts, AKeyChargedBeforeAKill9GetsItsFirstAnswerAfterTheRestart) {
  start();
  auto first = charge("pay-1", "pay-1", 5000);
  ASSERT_EQ(first.status, 200) << first.body;
  const auto payment_key = first.json()["paymentKey"].get<std::string>();
  const auto refund = cancel(charge("pay-2", "pay-2", 7000).json()["paymentKey"].get<std::string>(), "refund-2");
  ASSERT_EQ(refund.status, 200) << refund.body;
  const auto before = ledger();
  kill9();

  start();
  auto again = charge("pay-1", "pay-1", 5000);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json()["paymentKey"], payment_key);
  EXPECT_EQ(cancel(refund.json()["paymentKey"].get<std::string>(), "refund-2").json(), refund.json());
  EXPECT_EQ(charge("pay-other-key", "pay-1", 5000).status, 409);
  EXPECT_EQ(ledger(), before);

  // New charges after the restart get ids of their own.
  auto fresh = charge("pay-3", "pay-3", 100);
  ASSERT_EQ(fresh.status, 200);
  EXPECT_NE(fresh.json()["paymentKey"], payment_key);
  EXPECT_EQ(ledger().size(), before.size() + 1);
}

TEST_F(Faults, AnErrorRateOfOneAnswers500AndRecordsNothing) {
  start({"--error-rate", "1.0"});
  auto r = charge("pay-1", "pay-1", 5000);
  ASSERT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(r.json()["code"], "FAILED_INTERNAL_SYSTEM_PROCESSING");
  EXPECT_EQ(lookup("pay-1").status, 500);
  EXPECT_EQ(cancel("pgsim_x", "refund-1").status, 500);
  EXPECT_EQ(ledger().size(), 0u);  // never faulted
  EXPECT_EQ(client->get("/healthz").status, 200);

  start();
  EXPECT_EQ(lookup("pay-1").status, 404);  // nothing was recorded
  EXPECT_EQ(ledger().size(), 0u);
}

TEST_F(Faults, ALostAnswerIsRecordedAndARetryWithTheKeyGetsTheSamePayment) {
  start({"--lost-answer-rate", "1.0", "--lost-answer-hang-ms", "0"});
  {
    RawConn conn(sim->port());
    ASSERT_TRUE(conn.connected());
    ASSERT_TRUE(conn.send(raw_charge("pay-1", "pay-1", 5000)));
    const auto out = conn.read_until_close(10s);
    EXPECT_TRUE(out.closed);
    EXPECT_EQ(out.data, "");  // not a byte of answer
  }
  const auto lines = ledger();
  ASSERT_EQ(lines.size(), 1u) << lines;
  EXPECT_EQ(lines[0]["idempotencyKey"], "pay-1");
  const auto recorded = lines[0]["gatewayTxId"];
  // A look-up is never lost.
  auto found = lookup("pay-1");
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.json()["paymentKey"], recorded);

  start();  // rate 0 for the retry
  auto retried = charge("pay-1", "pay-1", 5000);
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(retried.json()["paymentKey"], recorded);
  EXPECT_EQ(ledger().size(), 1u);
}

TEST_F(Faults, ALostRefundIsRecordedToo) {
  start();
  const auto payment_key = charge("pay-1", "pay-1", 5000).json()["paymentKey"].get<std::string>();
  start({"--lost-answer-rate", "1.0", "--lost-answer-hang-ms", "0"});
  {
    const std::string body = R"({"cancelReason":"refund"})";
    RawConn conn(sim->port());
    ASSERT_TRUE(conn.send(
        "POST /v1/payments/" + payment_key + "/cancel HTTP/1.1\r\nHost: pgsim\r\nAuthorization: " + basic(kPgSecret) +
        "\r\nIdempotency-Key: refund-1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
    const auto out = conn.read_until_close(10s);
    EXPECT_TRUE(out.closed);
    EXPECT_EQ(out.data, "");
  }
  EXPECT_EQ(lookup("pay-1").json()["status"], "CANCELED");
  EXPECT_EQ(ledger().size(), 2u);
}

TEST_F(Faults, AHeldLostAnswerKeepsTheConnectionSilentAndDoesNotHoldUpAShutdown) {
  start({"--lost-answer-rate", "1.0", "--lost-answer-hang-ms", "60000"});
  RawConn conn(sim->port());
  ASSERT_TRUE(conn.send(raw_charge("pay-1", "pay-1", 5000)));
  const auto early = conn.read_response(300ms);
  EXPECT_FALSE(early.closed);
  EXPECT_EQ(early.data, "");
  EXPECT_EQ(ledger().size(), 1u);
  // SIGTERM ends the hold (well before its 60 s), and the simulator exits 0.
  EXPECT_EQ(sim->terminate(), 0) << sim->log_tail();
  sim.reset();
  const auto late = conn.read_until_close(10s);
  EXPECT_TRUE(late.closed);
  EXPECT_EQ(late.data, "");
}

TEST_F(Faults, LatencyDelaysButStillAnswers) {
  start({"--latency-ms", "30", "--latency-jitter-ms", "20"});
  EXPECT_EQ(charge("pay-1", "pay-1", 100).status, 200);
  EXPECT_EQ(lookup("pay-1").status, 200);
  EXPECT_EQ(ledger().size(), 1u);
}

TEST_F(Faults, OneSeedDrawsTheSameFaults) {
  const auto pattern = [this](const std::string& seed) {
    start({"--error-rate", "0.5", "--seed", seed});
    std::string statuses;
    for (int i = 0; i < 24; ++i) statuses += lookup("pay-" + std::to_string(i)).status == 500 ? 'E' : '.';
    return statuses;
  };
  const auto first = pattern("42");
  EXPECT_EQ(pattern("42"), first);
  EXPECT_NE(first.find('E'), std::string::npos) << first;
  EXPECT_NE(first.find('.'), std::string::npos) << first;
  EXPECT_TRUE(wait_for_log(R"("seed":"42")")) << sim->log_tail();
}

}  // namespace
}  // namespace concert::testing
