// The simulator's ledger without a process: what its UNIQUE constraints keep
// out, and that a reopened file remembers every key.
#include "pgsim/ledger.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace concert::pgsim {
namespace {

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

TEST(PgsimLedger, ChargesAreRecordedOncePerKeyAndOrder) {
  testing::TempDir dir;
  Ledger ledger(dir.file("l.sqlite"));
  const ChargeRequest request{"key-1", "order-1", 500, R"({"paymentId":"1"})"};
  const auto first = ledger.charge(request, {}, "tx-1", kNow);
  EXPECT_EQ(first.status, ChargeStatus::Recorded);
  EXPECT_EQ(first.payment.status, "DONE");
  EXPECT_EQ(first.payment.approved_at, "2027-01-15T08:00:00.000Z");

  const auto again = ledger.charge(request, {}, "tx-2", kNow);
  EXPECT_EQ(again.status, ChargeStatus::Replayed);
  EXPECT_EQ(again.payment.payment_key, "tx-1");

  const auto other_key = ledger.charge({"key-2", "order-1", 500, "{}"}, {}, "tx-3", kNow);
  EXPECT_EQ(other_key.status, ChargeStatus::OrderTaken);
  EXPECT_EQ(other_key.payment.payment_key, "tx-1");
  EXPECT_EQ(ledger.entries().size(), 1u);
}

TEST(PgsimLedger, ADeclineIsAbortedAndCannotBeCancelled) {
  testing::TempDir dir;
  Ledger ledger(dir.file("l.sqlite"));
  const auto declined =
      ledger.charge({"key-1", "order-1", 500, "{}"}, {"REJECT_CARD_PAYMENT", "declined"}, "tx-1", kNow);
  EXPECT_EQ(declined.payment.status, "ABORTED");
  EXPECT_EQ(declined.payment.failure_message, "declined");
  EXPECT_EQ(ledger.cancel({"refund-1", "tx-1", {}, "r"}, "c-1", kNow).status, CancelStatus::NotCancelable);
  const auto entries = ledger.entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].outcome, "DECLINED");
}

TEST(PgsimLedger, AReopenedLedgerRemembersChargesAndCancels) {
  testing::TempDir dir;
  {
    Ledger ledger(dir.file("l.sqlite"));
    ledger.charge({"key-1", "order-1", 500, "{}"}, {}, "tx-1", kNow);
    EXPECT_EQ(ledger.cancel({"refund-1", "tx-1", 200, "r"}, "c-1", kNow).status, CancelStatus::Recorded);
  }
  Ledger reopened(dir.file("l.sqlite"));
  EXPECT_EQ(reopened.charge({"key-1", "order-1", 500, "{}"}, {}, "tx-9", kNow).payment.payment_key, "tx-1");
  const auto replay = reopened.cancel({"refund-1", "tx-1", {}, "r"}, "c-9", kNow);
  EXPECT_EQ(replay.status, CancelStatus::Replayed);
  ASSERT_TRUE(replay.payment.cancel);
  EXPECT_EQ(replay.payment.cancel->transaction_key, "c-1");
  EXPECT_EQ(replay.payment.cancel->amount, 200);
  EXPECT_EQ(reopened.cancel({"refund-2", "tx-1", {}, "r"}, "c-8", kNow).status, CancelStatus::AlreadyCanceled);
  EXPECT_EQ(reopened.cancel({"refund-3", "tx-404", {}, "r"}, "c-7", kNow).status, CancelStatus::NotFound);
  EXPECT_EQ(reopened.find_by_order("order-1")->status, "CANCELED");
  EXPECT_FALSE(reopened.find_by_order("order-2"));
  EXPECT_EQ(reopened.entries().size(), 2u);
}

}  // namespace
}  // namespace concert::pgsim
