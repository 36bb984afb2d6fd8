// check_history over synthetic histories against a real embedded store (SQLite,
// through the use cases): each rule catches its violation, and an honest
// history of the same rows passes.
#include "audit/history.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "app/views.hpp"
#include "support/app_fixture.hpp"

namespace concert::audit {
namespace {

using testing::AdapterKind;
using testing::AppFixture;

std::string payment_answer(const app::PaymentView& v) {
  auto body = app::to_json(v.payment);
  body["reservation"] = app::to_json(v.reservation);
  return body.dump();
}

class HistoryCheckTest : public ::testing::Test {
 protected:
  void SetUp() override { schedule_ = f_.make_schedule(10); }

  Exchange& add(const std::string& user, const std::string& method, const std::string& path, const std::string& key,
                const std::string& request_body, int status, const std::string& answer_body,
                const std::string& failure = "") {
    Exchange e;
    e.seq = history_.size() + 1;
    e.user = user;
    e.method = method;
    e.path = path;
    e.idempotency_key = key;
    e.request_body = request_body;
    e.status = status;
    e.failure = failure;
    e.answer_body = answer_body;
    e.sent_at = domain::TimePoint(domain::Millis(1'000 * e.seq));
    e.answered_at = e.sent_at + domain::Millis(50);
    history_.push_back(e);
    return history_.back();
  }

  std::string hold_body(const std::vector<domain::Id>& seats) const {
    return nlohmann::json{{"scheduleId", schedule_.id}, {"seatIds", seats}}.dump();
  }

  Exchange& hold_answered(const domain::Reservation& r, int status, const std::string& answer) {
    return add(r.user_id, "POST", "/api/v1/reservations", r.idempotency_key, hold_body(r.seat_ids), status, answer);
  }

  Exchange& pay_answered(const app::PaymentView& v, int status, const std::string& answer) {
    return add(v.payment.user_id, "POST", "/api/v1/payments", v.payment.idempotency_key,
               nlohmann::json{{"reservationId", v.reservation.id}}.dump(), status, answer);
  }

  app::PaymentView pay(const domain::Reservation& r) {
    auto paid = f_.services->payments.pay({r.user_id, r.id, "pay-" + r.user_id});
    if (!paid) throw std::runtime_error("pay: " + paid.error().detail);
    return *paid;
  }

  // Publishes the outbox; the sink's order is the published sequence unless a test replaces it.
  HistoryVerdict check(std::optional<std::vector<std::string>> published = std::nullopt) {
    while (f_.relay->tick() > 0) {
    }
    if (!published) {
      published.emplace();
      for (const auto& e : f_.sink.events()) published->push_back(e.event_id);
    }
    return check_history({&history_, f_.store.get(), std::move(published)});
  }

  AppFixture f_{AdapterKind::Embedded};
  domain::Schedule schedule_;
  History history_;
};

TEST_F(HistoryCheckTest, HonestHistoryPasses) {
  // alice holds, pays and is refunded; bob holds and cancels; carol's hold timed
  // out at the client but was made; dave's hold was refused and made nothing.
  const auto alice = f_.hold("alice", schedule_.id, {1, 2});
  hold_answered(alice, 201, app::to_json(alice).dump());
  const auto paid = pay(alice);
  pay_answered(paid, 201, payment_answer(paid));
  const auto refunded = f_.services->payments.refund("alice", paid.payment.id);
  ASSERT_TRUE(refunded) << refunded.error().detail;
  add("alice", "POST", "/api/v1/payments/" + std::to_string(paid.payment.id) + "/refund", "refund-alice", "", 200,
      payment_answer(*refunded));

  const auto bob = f_.hold("bob", schedule_.id, {3});
  hold_answered(bob, 201, app::to_json(bob).dump());
  const auto cancelled = f_.services->reservations.cancel("bob", bob.id);
  ASSERT_TRUE(cancelled) << cancelled.error().detail;
  add("bob", "DELETE", "/api/v1/reservations/" + std::to_string(bob.id), "", "", 200, app::to_json(*cancelled).dump());

  const auto carol = f_.hold("carol", schedule_.id, {4});
  hold_answered(carol, 0, "").failure = "timeout";
  add("dave", "POST", "/api/v1/reservations", "hold-dave", hold_body({4}), 409,
      R"({"code":"seat-taken","status":409})");

  const auto verdict = check();
  EXPECT_TRUE(verdict.report.ok()) << verdict.report.describe();
  EXPECT_EQ(verdict.exchanges, 7U);
  EXPECT_EQ(verdict.acknowledged_writes, 5U);  // two holds, a payment, a refund, a cancel
  EXPECT_EQ(verdict.failed_writes, 1U);        // dave's
  EXPECT_GT(verdict.events, 0U);
}

TEST_F(HistoryCheckTest, AcknowledgedHoldMissingFromTheDatabaseIsCaught) {
  const auto alice = f_.hold("alice", schedule_.id, {1});
  hold_answered(alice, 201, app::to_json(alice).dump());
  auto ghost = alice;
  ghost.id = alice.id + 1000;  // told to the fan, never committed
  ghost.user_id = "erin";
  ghost.idempotency_key = "hold-erin";
  ghost.seat_ids = {5};
  const auto& told = hold_answered(ghost, 201, app::to_json(ghost).dump());

  const auto verdict = check();
  const auto found = verdict.report.of("acknowledged");
  ASSERT_EQ(found.size(), 1U) << verdict.report.describe();
  EXPECT_NE(found[0].detail.find("hold #" + std::to_string(told.seq)), std::string::npos) << found[0].detail;
  EXPECT_NE(found[0].detail.find("not in the database"), std::string::npos) << found[0].detail;
}

TEST_F(HistoryCheckTest, AcknowledgedHoldWithOtherSeatsIsCaught) {
  const auto alice = f_.hold("alice", schedule_.id, {1, 2});
  auto told = app::to_json(alice);
  told["seatIds"] = {1, 3};
  hold_answered(alice, 201, told.dump());

  const auto verdict = check();
  ASSERT_EQ(verdict.report.of("acknowledged").size(), 1U) << verdict.report.describe();
  EXPECT_NE(verdict.report.describe().find("other seats"), std::string::npos) << verdict.report.describe();
}

TEST_F(HistoryCheckTest, AcknowledgedPaymentWhoseStateWentBackwardsIsCaught) {
  const auto alice = f_.hold("alice", schedule_.id, {1});
  hold_answered(alice, 201, app::to_json(alice).dump());
  const auto paid = pay(alice);
  pay_answered(paid, 201, payment_answer(paid));
  // The fan was told its refund was under way; the database still says APPROVED.
  auto told = paid;
  told.payment.status = domain::PaymentStatus::RefundPending;
  const auto& refund = add("alice", "POST", "/api/v1/payments/" + std::to_string(paid.payment.id) + "/refund",
                           "refund-alice", "", 200, payment_answer(told));

  const auto verdict = check();
  const auto found = verdict.report.of("acknowledged");
  ASSERT_EQ(found.size(), 1U) << verdict.report.describe();
  EXPECT_NE(found[0].detail.find("refund #" + std::to_string(refund.seq)), std::string::npos) << found[0].detail;
  EXPECT_NE(found[0].detail.find("APPROVED, which cannot follow the REFUND_PENDING told"), std::string::npos)
      << found[0].detail;
}

TEST_F(HistoryCheckTest, PaymentThatMovedOnLegallyPasses) {
  const auto alice = f_.hold("alice", schedule_.id, {1});
  hold_answered(alice, 201, app::to_json(alice).dump());
  const auto paid = pay(alice);
  pay_answered(paid, 201, payment_answer(paid));                        // told APPROVED and PAID
  ASSERT_TRUE(f_.services->payments.refund("alice", paid.payment.id));  // now REFUNDED, by a request not recorded

  const auto verdict = check();
  EXPECT_TRUE(verdict.report.of("acknowledged").empty()) << verdict.report.describe();
}

TEST_F(HistoryCheckTest, HoldAnsweredSeatTakenThatMadeAReservationIsCaught) {
  const auto alice = f_.hold("alice", schedule_.id, {1});
  const auto& refused = hold_answered(alice, 409, R"({"code":"seat-taken","status":409})");

  const auto verdict = check();
  const auto found = verdict.report.of("failed");
  ASSERT_EQ(found.size(), 1U) << verdict.report.describe();
  EXPECT_NE(found[0].detail.find("hold #" + std::to_string(refused.seq)), std::string::npos) << found[0].detail;
  EXPECT_NE(found[0].detail.find("409 seat-taken"), std::string::npos) << found[0].detail;
  EXPECT_NE(found[0].detail.find("reservation " + std::to_string(alice.id)), std::string::npos) << found[0].detail;
}

TEST_F(HistoryCheckTest, FailedHoldIsExcusedByALaterSuccessOrAnUnansweredSibling) {
  const auto alice = f_.hold("alice", schedule_.id, {1});
  hold_answered(alice, 409, R"({"code":"seat-taken","status":409})");
  hold_answered(alice, 201, app::to_json(alice).dump());  // a retry with the key: its replay
  const auto bob = f_.hold("bob", schedule_.id, {2});
  hold_answered(bob, 409, R"({"code":"seat-taken","status":409})");
  hold_answered(bob, 0, "").failure = "timeout";  // may have run after the 409 was decided

  const auto verdict = check();
  EXPECT_TRUE(verdict.report.ok()) << verdict.report.describe();
}

TEST_F(HistoryCheckTest, PaymentAnsweredDeclinedThatKeptTheMoneyIsCaught) {
  const auto alice = f_.hold("alice", schedule_.id, {1});
  hold_answered(alice, 201, app::to_json(alice).dump());
  const auto paid = pay(alice);
  pay_answered(paid, 402, R"({"code":"payment-declined","status":402})");

  const auto verdict = check();
  const auto found = verdict.report.of("failed");
  ASSERT_EQ(found.size(), 1U) << verdict.report.describe();
  EXPECT_NE(found[0].detail.find("is APPROVED"), std::string::npos) << found[0].detail;
}

TEST_F(HistoryCheckTest, ReservationNoRequestCouldHaveMadeIsCaught) {
  const auto alice = f_.hold("alice", schedule_.id, {1});
  hold_answered(alice, 201, app::to_json(alice).dump());
  const auto other = f_.hold("alice", schedule_.id, {2});  // a key the history never sent
  const auto throttled = f_.hold("bob", schedule_.id, {3});
  hold_answered(throttled, 429, R"({"code":"rate-limited","status":429})");  // did nothing

  const auto verdict = check();
  const auto found = verdict.report.of("unexplained");
  ASSERT_EQ(found.size(), 2U) << verdict.report.describe();
  EXPECT_NE(verdict.report.describe().find("reservation " + std::to_string(other.id) + " (user alice"),
            std::string::npos)
      << verdict.report.describe();
  EXPECT_NE(verdict.report.describe().find("reservation " + std::to_string(throttled.id) + " (user bob"),
            std::string::npos)
      << verdict.report.describe();
}

TEST_F(HistoryCheckTest, EventsOutOfOrderWithinAnAggregateAreCaught) {
  const auto alice = f_.hold("alice", schedule_.id, {1});
  hold_answered(alice, 201, app::to_json(alice).dump());
  const auto paid = pay(alice);
  pay_answered(paid, 201, payment_answer(paid));
  check();  // publishes
  std::vector<std::string> published;
  for (const auto& e : f_.sink.events()) published.push_back(e.event_id);
  const auto held = std::find(published.begin(), published.end(), "reservation-" + std::to_string(alice.id) + "-v1");
  const auto sold = std::find(published.begin(), published.end(), "reservation-" + std::to_string(alice.id) + "-v2");
  ASSERT_TRUE(held != published.end() && sold != published.end());
  std::iter_swap(held, sold);
  // At-least-once re-deliveries after the first copies are no violation.
  published.push_back("reservation-" + std::to_string(alice.id) + "-v1");

  const auto verdict = check(published);
  const auto found = verdict.report.of("events");
  ASSERT_EQ(found.size(), 1U) << verdict.report.describe();
  EXPECT_NE(found[0].detail.find("reservation-" + std::to_string(alice.id) + "-v2"), std::string::npos)
      << found[0].detail;
  EXPECT_NE(found[0].detail.find("reached the sink before"), std::string::npos) << found[0].detail;
}

TEST_F(HistoryCheckTest, EventMissingFromTheSinkIsCaught) {
  const auto alice = f_.hold("alice", schedule_.id, {1});
  hold_answered(alice, 201, app::to_json(alice).dump());

  const auto verdict = check(std::vector<std::string>{});
  const auto found = verdict.report.of("events");
  ASSERT_EQ(found.size(), 1U) << verdict.report.describe();
  EXPECT_NE(found[0].detail.find("never reached the sink"), std::string::npos) << found[0].detail;
}

TEST(HistoryFile, RoundTripsAsJsonLinesInSendOrder) {
  Exchange late;
  late.seq = 2;
  late.user = "alice";
  late.method = "POST";
  late.path = "/api/v1/payments";
  late.idempotency_key = "pay-1";
  late.request_body = R"({"reservationId":7})";
  late.failure = "timeout";
  late.sent_at = domain::TimePoint(domain::Millis(1'700'000'000'123));
  late.answered_at = late.sent_at + domain::Millis(5000);
  Exchange early;
  early.seq = 1;
  early.method = "GET";
  early.path = "/api/v1/queue/status";
  early.status = 200;
  early.answer_body = "{\"status\":\"WAITING\"}\n";  // a newline in a body stays inside its line

  std::stringstream file;
  file << to_json_line(late) << "\n" << to_json_line(early) << "\n\n";  // written in answer order
  const auto read = read_history(file);
  ASSERT_TRUE(read) << read.error().detail;
  ASSERT_EQ(read->size(), 2U);
  EXPECT_EQ((*read)[0].seq, 1U);
  EXPECT_EQ((*read)[0].answer_body, early.answer_body);
  EXPECT_EQ((*read)[1].idempotency_key, "pay-1");
  EXPECT_EQ((*read)[1].request_body, late.request_body);
  EXPECT_EQ((*read)[1].failure, "timeout");
  EXPECT_EQ((*read)[1].status, 0);
  EXPECT_EQ((*read)[1].sent_at, late.sent_at);
  EXPECT_EQ((*read)[1].answered_at, late.answered_at);

  std::stringstream broken("{\"seq\":1}\n");
  EXPECT_FALSE(read_history(broken));
}

}  // namespace
}  // namespace concert::audit
