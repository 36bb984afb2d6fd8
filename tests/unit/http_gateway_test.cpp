// The HTTP payment gateway client (adapters/payments/http_gateway) against a
// scripted stand-in gateway on 127.0.0.1: the Toss-modelled mapping of answers
// to outcomes, retries under one Idempotency-Key, timeouts, the circuit breaker
// and connection reuse. The real simulator is tested in tests/pgsim.
// clang-format off: Regroup would sort it after Boost
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)
// clang-format on

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "adapters/payments/http_gateway.hpp"
#include "platform/crypto.hpp"
#include "platform/logging.hpp"
#include "platform/trace_context.hpp"
#include "support/server_harness.hpp"

namespace concert::testing {
namespace {

using adapters::payments::CircuitBreaker;
using adapters::payments::HttpGateway;
using ports::GatewayOutcome;

// Each request is recorded, then answered by `script` (which may wait first).
struct StandIn {
  struct Seen {
    std::string method, target, key, authorization, remote, traceparent;
    nlohmann::json body;
  };
  std::function<http::Response(const http::Request&, int n)> script;
  std::chrono::milliseconds delay{0};
  std::mutex mutex;
  std::vector<Seen> seen;

  ServerHarness server{
      {}, [this](http::Request r) -> boost::asio::awaitable<http::Response> {
        int n = 0;
        {
          std::lock_guard lock(mutex);
          seen.push_back({r.method, r.target, r.header("Idempotency-Key").value_or(""),
                          r.header("Authorization").value_or(""), r.remote_address,
                          r.header("traceparent").value_or(""), nlohmann::json::parse(r.body.empty() ? "{}" : r.body)});
          n = static_cast<int>(seen.size());
        }
        if (delay.count() > 0) {
          boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
          co_await timer.async_wait(boost::asio::use_awaitable);
        }
        co_return script(r, n);
      }};

  std::size_t count() {
    std::lock_guard lock(mutex);
    return seen.size();
  }
};

http::Response answer(int status, nlohmann::json body) {
  http::Response r;
  r.status = status;
  r.body = body.dump();
  return r;
}

http::Response done(const std::string& tx) {
  return answer(200, {{"paymentKey", tx}, {"orderId", "pay-1"}, {"status", "DONE"}, {"totalAmount", 50000}});
}

adapters::payments::HttpGatewayOptions options_for(unsigned short port) {
  adapters::payments::HttpGatewayOptions o;
  o.endpoint = {"127.0.0.1", port, ""};
  o.secret = "test-only-gateway-secret";
  o.http.connect_timeout = std::chrono::milliseconds(200);
  o.http.total_timeout = std::chrono::milliseconds(300);
  o.attempts = 3;
  o.backoff = std::chrono::milliseconds(5);
  o.breaker = {5, std::chrono::milliseconds(300)};
  return o;
}

ports::ChargeRequest charge_of(std::string key) { return {std::move(key), 50'000, "auth0|alice", 7, 1}; }

// A loopback port nothing listens on: bound, never listened, closed again.
unsigned short closed_port() {
  ServerHarness probe{{}, [](http::Request) -> boost::asio::awaitable<http::Response> { co_return http::Response{}; }};
  const auto port = probe.port();
  probe.stop(std::chrono::seconds(2));
  return port;
}

TEST(HttpGateway, AConfirmedChargeIsApprovedUnderTheGatewaysKey) {
  StandIn pg;
  pg.script = [](const http::Request&, int) { return done("tx_abc"); };
  HttpGateway gateway(options_for(pg.server.port()));
  const auto result = gateway.charge(charge_of("pay-1"));
  EXPECT_EQ(result.outcome, GatewayOutcome::Approved);
  EXPECT_EQ(result.gateway_tx_id, "tx_abc");
  ASSERT_EQ(pg.count(), 1u);
  const auto& seen = pg.seen[0];
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/v1/payments/confirm");
  EXPECT_EQ(seen.key, "pay-1");
  EXPECT_EQ(seen.authorization, "Basic " + platform::base64_encode("test-only-gateway-secret:"));
  EXPECT_EQ(seen.body["orderId"], "pay-1");
  EXPECT_EQ(seen.body["amount"], 50'000);
  EXPECT_EQ(seen.body["metadata"]["paymentId"], "1");
  EXPECT_EQ(seen.body["metadata"]["userId"], "auth0|alice");
  EXPECT_EQ(seen.traceparent, "");  // no request's trace: none sent
}

// A call made for a request carries the request's trace id in a span of its own
// (SPEC §6), on every attempt.
TEST(HttpGateway, ACallMadeForARequestCarriesItsTraceId) {
  StandIn pg;
  pg.script = [](const http::Request&, int n) { return n == 1 ? answer(500, {}) : done("tx_abc"); };
  HttpGateway gateway(options_for(pg.server.port()));
  const auto trace = platform::trace_for_request("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  {
    const platform::ScopedTrace traced(&trace);
    EXPECT_EQ(gateway.charge(charge_of("pay-1")).outcome, GatewayOutcome::Approved);
  }
  ASSERT_EQ(pg.count(), 2u);
  for (const auto& seen : pg.seen) {
    EXPECT_EQ(platform::trace_id_from_traceparent(seen.traceparent), "0af7651916cd43dd8448eb211c80319c");
    EXPECT_EQ(seen.traceparent.find(trace.span_id), std::string::npos);  // a child span, not the request's own
  }
  EXPECT_EQ(platform::current_trace(), nullptr);  // the scope ended
}

TEST(HttpGateway, ARefusedCardIsADeclineWithTheGatewaysMessage) {
  StandIn pg;
  pg.script = [](const http::Request&, int) {
    return answer(403, {{"code", "REJECT_CARD_PAYMENT"}, {"message", "limit exceeded"}});
  };
  HttpGateway gateway(options_for(pg.server.port()));
  const auto result = gateway.charge(charge_of("pay-1"));
  EXPECT_EQ(result.outcome, GatewayOutcome::Declined);
  EXPECT_EQ(result.reason, "limit exceeded");
  EXPECT_EQ(pg.count(), 1u);  // a decline is an answer: not retried
}

TEST(HttpGateway, ServerErrorsAreRetriedUnderTheSameKeyUntilAnAnswer) {
  StandIn pg;
  pg.script = [](const http::Request&, int n) {
    return n < 3 ? answer(500, {{"code", "FAILED_INTERNAL_SYSTEM_PROCESSING"}}) : done("tx_3");
  };
  HttpGateway gateway(options_for(pg.server.port()));
  const auto result = gateway.charge(charge_of("pay-9"));
  EXPECT_EQ(result.outcome, GatewayOutcome::Approved);
  ASSERT_EQ(pg.count(), 3u);
  for (const auto& s : pg.seen) EXPECT_EQ(s.key, "pay-9");
}

TEST(HttpGateway, AGatewayThatNeverAnswersIsUnknownAfterEveryAttemptTimedOut) {
  StandIn pg;
  pg.delay = std::chrono::milliseconds(2000);  // far beyond the 300 ms per attempt
  pg.script = [](const http::Request&, int) { return done("late"); };
  HttpGateway gateway(options_for(pg.server.port()));
  const auto result = gateway.charge(charge_of("pay-2"));
  EXPECT_EQ(result.outcome, GatewayOutcome::Unknown);  // it may have charged: the key is asked again later
  EXPECT_EQ(pg.count(), 3u);
  for (const auto& s : pg.seen) EXPECT_EQ(s.key, "pay-2");
}

TEST(HttpGateway, AnUnreachableGatewayIsUnavailableNotUnknown) {
  HttpGateway gateway(options_for(closed_port()));
  const auto result = gateway.charge(charge_of("pay-3"));
  EXPECT_EQ(result.outcome, GatewayOutcome::Unavailable);  // no attempt reached it: nothing was charged
}

TEST(HttpGateway, RepeatedFailuresOpenTheBreakerThenOneProbeClosesIt) {
  StandIn pg;
  std::atomic<bool> healthy{false};
  pg.script = [&](const http::Request&, int) {
    return healthy ? done("tx_ok") : answer(503, {{"code", "FAILED_INTERNAL_SYSTEM_PROCESSING"}});
  };
  auto options = options_for(pg.server.port());
  options.attempts = 1;
  options.breaker = {3, std::chrono::milliseconds(300)};
  HttpGateway gateway(options);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(gateway.charge(charge_of("pay-4")).outcome, GatewayOutcome::Unknown);
  EXPECT_EQ(gateway.breaker_state(), CircuitBreaker::State::Open);
  // Open: refused at once, nothing sent.
  EXPECT_EQ(gateway.charge(charge_of("pay-5")).outcome, GatewayOutcome::Unavailable);
  EXPECT_EQ(gateway.lookup("pay-5").outcome, GatewayOutcome::Unavailable);
  EXPECT_EQ(pg.count(), 3u);

  healthy = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  EXPECT_EQ(gateway.breaker_state(), CircuitBreaker::State::HalfOpen);
  EXPECT_EQ(gateway.charge(charge_of("pay-5")).outcome, GatewayOutcome::Approved);  // the probe
  EXPECT_EQ(gateway.breaker_state(), CircuitBreaker::State::Closed);
  EXPECT_EQ(gateway.charge(charge_of("pay-6")).outcome, GatewayOutcome::Approved);
  EXPECT_EQ(pg.count(), 5u);
}

TEST(HttpGateway, AFailedProbeOpensTheBreakerAgain) {
  CircuitBreaker breaker({2, std::chrono::milliseconds(50)});
  const auto t0 = CircuitBreaker::Clock::now();
  EXPECT_TRUE(breaker.allow(t0));
  breaker.failed(t0);
  breaker.failed(t0);
  EXPECT_FALSE(breaker.allow(t0 + std::chrono::milliseconds(10)));
  const auto later = t0 + std::chrono::milliseconds(60);
  EXPECT_TRUE(breaker.allow(later));   // the one probe
  EXPECT_FALSE(breaker.allow(later));  // only one at a time
  breaker.failed(later);
  EXPECT_FALSE(breaker.allow(later + std::chrono::milliseconds(40)));
  EXPECT_TRUE(breaker.allow(later + std::chrono::milliseconds(60)));
  breaker.succeeded();
  EXPECT_TRUE(breaker.allow(later + std::chrono::milliseconds(61)));
  EXPECT_EQ(breaker.state(later + std::chrono::milliseconds(61)), CircuitBreaker::State::Closed);
}

TEST(HttpGateway, AnOrderChargedBeforeIsAnsweredFromItsLookUp) {
  StandIn pg;
  pg.script = [](const http::Request& r, int) {
    if (r.method == "GET") return done("tx_first");
    return answer(409, {{"code", "ALREADY_PROCESSED_PAYMENT"}, {"message", "already processed"}});
  };
  HttpGateway gateway(options_for(pg.server.port()));
  const auto result = gateway.charge(charge_of("pay-1"));
  EXPECT_EQ(result.outcome, GatewayOutcome::Approved);
  EXPECT_EQ(result.gateway_tx_id, "tx_first");
  ASSERT_EQ(pg.count(), 2u);
  EXPECT_EQ(pg.seen[1].target, "/v1/payments/orders/pay-1");
}

TEST(HttpGateway, LookUpsTellChargedDeclinedAndNeverSeenApart) {
  StandIn pg;
  pg.script = [](const http::Request& r, int) {
    if (r.target.ends_with("/pay-1")) return done("tx_1");
    if (r.target.ends_with("/pay-2")) return answer(200, {{"paymentKey", "tx_2"}, {"status", "ABORTED"}});
    return answer(404, {{"code", "NOT_FOUND_PAYMENT"}, {"message", "no such order"}});
  };
  HttpGateway gateway(options_for(pg.server.port()));
  EXPECT_EQ(gateway.lookup("pay-1").outcome, GatewayOutcome::Approved);
  EXPECT_EQ(gateway.lookup("pay-2").outcome, GatewayOutcome::Declined);
  EXPECT_EQ(gateway.lookup("pay-3").outcome, GatewayOutcome::NotFound);
  // An order id with odd bytes stays one path segment.
  EXPECT_EQ(gateway.lookup("a/b c").outcome, GatewayOutcome::NotFound);
  EXPECT_EQ(pg.seen.back().target, "/v1/payments/orders/a%2Fb%20c");
}

TEST(HttpGateway, RefundsMapCancelledAlreadyCancelledAndUnknownPayments) {
  StandIn pg;
  pg.script = [](const http::Request& r, int) {
    if (r.target.starts_with("/v1/payments/tx_1/"))
      return answer(200, {{"paymentKey", "tx_1"}, {"status", "CANCELED"}});
    if (r.target.starts_with("/v1/payments/tx_2/")) return answer(400, {{"code", "ALREADY_CANCELED_PAYMENT"}});
    return answer(404, {{"code", "NOT_FOUND_PAYMENT"}});
  };
  HttpGateway gateway(options_for(pg.server.port()));
  EXPECT_EQ(gateway.refund("refund-1", "tx_1", 50'000).outcome, GatewayOutcome::Approved);
  EXPECT_EQ(pg.seen.back().key, "refund-1");
  EXPECT_EQ(pg.seen.back().body["cancelAmount"], 50'000);
  EXPECT_EQ(gateway.refund("refund-2", "tx_2", 50'000).outcome, GatewayOutcome::Approved);
  EXPECT_EQ(gateway.refund("refund-3", "tx_3", 50'000).outcome, GatewayOutcome::Declined);
}

TEST(HttpGateway, SequentialCallsReuseOneKeptAliveConnection) {
  StandIn pg;
  pg.script = [](const http::Request&, int) { return done("tx"); };
  HttpGateway gateway(options_for(pg.server.port()));
  for (int i = 0; i < 20; ++i) gateway.charge(charge_of("pay-" + std::to_string(i)));
  std::set<std::string> remotes;
  for (const auto& s : pg.seen) remotes.insert(s.remote);
  EXPECT_EQ(pg.count(), 20u);
  EXPECT_EQ(remotes.size(), 1u);
}

}  // namespace
}  // namespace concert::testing
