// The simulator's callbacks to a receiver in this process (the product's own
// HttpServer): signed reports with the charge's paymentId, duplicated, lost,
// retried after a 5xx and never after a 4xx.
#include "support/server_harness.hpp"
// (server_harness.hpp first: it brings <utility> before Asio.)
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "pgsim_fixture.hpp"
#include "platform/webhook_signature.hpp"

namespace concert::testing {
namespace {

using namespace std::chrono_literals;

// Records every callback; answers each with the next scripted status (200 when the script is out).
class Receiver {
 public:
  explicit Receiver(std::deque<int> script = {})
      : script_(std::move(script)), server_({}, [this](http::Request r) { return on_request(std::move(r)); }) {}

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()) + "/api/v1/webhooks/pg"; }

  // Waits (bounded) until `n` callbacks came; returns what came.
  std::vector<http::Request> wait_for(std::size_t n, std::chrono::milliseconds limit = 15s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (count() >= n) break;
      std::this_thread::sleep_for(10ms);
    }
    std::lock_guard lock(mutex_);
    return got_;
  }
  std::size_t count() {
    std::lock_guard lock(mutex_);
    return got_.size();
  }

 private:
  boost::asio::awaitable<http::Response> on_request(http::Request request) {
    http::Response answer;
    {
      std::lock_guard lock(mutex_);
      got_.push_back(std::move(request));
      if (!script_.empty()) {
        answer.status = script_.front();
        script_.pop_front();
      }
    }
    answer.body = "{}";
    co_return answer;
  }

  std::mutex mutex_;
  std::vector<http::Request> got_;
  std::deque<int> script_;
  ServerHarness server_;  // last: stops before what its handler uses goes
};

class Webhooks : public PgsimTest {
 protected:
  void start_with(Receiver& receiver, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--webhook-url", receiver.url(), "--webhook-secret-file", dir.file("webhook-secret")};
    args.insert(args.end(), extra.begin(), extra.end());
    start(args);
  }
  static nlohmann::json verified(const http::Request& r) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.path(), "/api/v1/webhooks/pg");
    const auto signature = r.header("PG-Signature").value_or("");
    const auto ok = platform::verify_webhook(kPgWebhookSecret, signature, r.body, std::chrono::system_clock::now());
    EXPECT_TRUE(ok) << (ok ? "" : ok.error().detail) << " " << signature;
    return nlohmann::json::parse(r.body);
  }
};

TEST_F(Webhooks, AnApprovalIsReportedSignedWithThePaymentId) {
  Receiver receiver;
  start_with(receiver);
  const auto paid = charge("pay-17", "pay-17", 120000, 17).json();
  const auto got = receiver.wait_for(1);
  ASSERT_EQ(got.size(), 1u);
  const auto report = verified(got[0]);
  EXPECT_EQ(report["paymentId"], 17);
  EXPECT_EQ(report["gatewayTxId"], paid["paymentKey"]);
  EXPECT_EQ(report["outcome"], "APPROVED");
  EXPECT_EQ(report["amount"], 120000);
  EXPECT_FALSE(report.contains("reason"));
  EXPECT_FALSE(platform::verify_webhook("another-secret-0123456789", got[0].header("PG-Signature").value_or(""),
                                        got[0].body, std::chrono::system_clock::now()));
}

TEST_F(Webhooks, ADeclineIsReportedWithItsReasonAndARepeatedChargeIsNotReportedAgain) {
  Receiver receiver;
  start_with(receiver, {"--decline-over", "100"});
  EXPECT_EQ(charge("pay-5", "pay-5", 101, 5).status, 403);
  EXPECT_EQ(charge("pay-6", "pay-6", 10, 6).status, 200);
  EXPECT_EQ(charge("pay-5", "pay-5", 101, 5).status, 403);  // a replay: no new charge, no new report
  const auto got = receiver.wait_for(2);
  ASSERT_EQ(got.size(), 2u);
  std::map<std::int64_t, nlohmann::json> by_id;
  for (const auto& r : got) {
    const auto report = verified(r);
    by_id[report["paymentId"].get<std::int64_t>()] = report;
  }
  EXPECT_EQ(by_id[5]["outcome"], "DECLINED");
  EXPECT_FALSE(by_id[5]["reason"].get<std::string>().empty());
  EXPECT_EQ(by_id[5]["amount"], 101);
  EXPECT_EQ(by_id[6]["outcome"], "APPROVED");
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(receiver.count(), 2u);
}

TEST_F(Webhooks, ADuplicateRateOfOneSendsEachReportTwice) {
  Receiver receiver;
  start_with(receiver, {"--duplicate-webhook-rate", "1.0"});
  charge("pay-8", "pay-8", 800, 8);
  const auto got = receiver.wait_for(2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(verified(got[0]), verified(got[1]));
  EXPECT_EQ(verified(got[0])["paymentId"], 8);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(receiver.count(), 2u);
}

TEST_F(Webhooks, DelayedReportsAllArrive) {
  Receiver receiver;
  start_with(receiver, {"--webhook-delay-ms", "200", "--seed", "7"});
  for (int i = 1; i <= 5; ++i) charge("pay-" + std::to_string(i), "pay-" + std::to_string(i), 10, i);
  const auto got = receiver.wait_for(5);
  ASSERT_EQ(got.size(), 5u);
  std::set<std::int64_t> ids;
  for (const auto& r : got) ids.insert(verified(r)["paymentId"].get<std::int64_t>());
  EXPECT_EQ(ids, (std::set<std::int64_t>{1, 2, 3, 4, 5}));
}

TEST_F(Webhooks, ALossRateOfOneSendsNothing) {
  Receiver receiver;
  start_with(receiver, {"--webhook-loss-rate", "1.0"});
  EXPECT_EQ(charge("pay-1", "pay-1", 10, 1).status, 200);
  EXPECT_TRUE(wait_for_log("webhook lost")) << sim->log_tail();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(receiver.count(), 0u);
}

TEST_F(Webhooks, A5xxIsRetriedAndA409IsNot) {
  Receiver failing({503, 500, 200});
  start_with(failing);
  charge("pay-1", "pay-1", 10, 1);
  const auto got = failing.wait_for(3);
  ASSERT_EQ(got.size(), 3u);
  for (const auto& r : got) EXPECT_EQ(verified(r)["paymentId"], 1);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(failing.count(), 3u);  // delivered: no more

  Receiver disagreeing({409});
  start_with(disagreeing);
  charge("pay-2", "pay-2", 10, 2);
  ASSERT_EQ(disagreeing.wait_for(1).size(), 1u);
  std::this_thread::sleep_for(700ms);  // past the first backoff
  EXPECT_EQ(disagreeing.count(), 1u);
}

TEST_F(Webhooks, AReceiverThatNeverAcceptsIsTriedABoundedNumberOfTimes) {
  Receiver down({500, 500, 500, 500, 500, 500, 500, 500});
  start_with(down);
  charge("pay-1", "pay-1", 10, 1);
  // 5 attempts, 200 + 400 + 800 + 1600 ms apart; then the sender says it gave up.
  ASSERT_EQ(down.wait_for(5, 20s).size(), 5u);
  EXPECT_TRUE(wait_for_log("webhook given up")) << sim->log_tail();
  EXPECT_EQ(down.count(), 5u);
}

}  // namespace
}  // namespace concert::testing
