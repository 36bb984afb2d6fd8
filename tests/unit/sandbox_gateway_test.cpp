// The sandbox gateway remembers its keys across restarts through its ledger, as
// a real gateway does: a key charged (or refunded) before concertd restarted
// gets the first result, and the ledger gains nothing (SPEC I3).
#include "adapters/payments/sandbox_gateway.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "support/ledger_lines.hpp"
#include "support/temp_dir.hpp"

namespace concert::adapters::payments {
namespace {

ports::ChargeRequest request(const std::string& key, domain::Money amount) { return {key, amount, "alice", 1}; }

TEST(SandboxGateway, AKeyChargedBeforeARestartIsNotChargedAgain) {
  testing::TempDir dir;
  const auto ledger = dir.file("ledger.jsonl");
  ports::GatewayResult charged, declined, refunded;
  {
    SandboxGateway gateway({}, ledger);
    charged = gateway.charge(request("pay-1", 50'000));
    declined = gateway.charge(request("pay-2", 5'000'000));  // over the sandbox's limit
    refunded = gateway.refund("refund-1", charged.gateway_tx_id, 50'000);
  }
  ASSERT_EQ(charged.outcome, ports::GatewayOutcome::Approved);
  ASSERT_EQ(declined.outcome, ports::GatewayOutcome::Declined);
  {
    std::ofstream(ledger, std::ios::app) << "{\"kind\":\"charge\",\"key\":\"torn";  // a crash mid-line
  }
  SandboxGateway restarted({}, ledger);
  const auto again = restarted.charge(request("pay-1", 50'000));
  EXPECT_EQ(again.outcome, ports::GatewayOutcome::Approved);
  EXPECT_EQ(again.gateway_tx_id, charged.gateway_tx_id);
  const auto declined_again = restarted.charge(request("pay-2", 5'000'000));
  EXPECT_EQ(declined_again.outcome, ports::GatewayOutcome::Declined);
  EXPECT_EQ(declined_again.reason, declined.reason);
  EXPECT_EQ(restarted.refund("refund-1", charged.gateway_tx_id, 50'000).gateway_tx_id, refunded.gateway_tx_id);
  EXPECT_EQ(testing::ledger_lines(ledger, "charge"), 3);  // pay-1, pay-2 and the torn line: nothing new
  EXPECT_EQ(testing::ledger_lines(ledger, "refund"), 1);
  // A new key is charged as usual, on a line of its own after the torn one, so
  // the next restart remembers it too.
  const auto third = restarted.charge(request("pay-3", 10'000));
  EXPECT_EQ(third.outcome, ports::GatewayOutcome::Approved);
  EXPECT_EQ(testing::ledger_lines(ledger, "charge"), 4);
  SandboxGateway once_more({}, ledger);
  EXPECT_EQ(once_more.charge(request("pay-3", 10'000)).gateway_tx_id, third.gateway_tx_id);
  EXPECT_EQ(testing::ledger_lines(ledger, "charge"), 4);
}

}  // namespace
}  // namespace concert::adapters::payments
