// The simulator's HTTP API (docs/payment-gateway.md): routes a request, checks
// the Basic secret, applies the drawn faults, and runs the ledger work on the
// blocking pool so the IO threads never wait on SQLite.
//
// Faults, for confirm, cancel and look-up only (never /ledger or /healthz):
// the latency is waited (an Asio timer) before the request is handled; a
// drawn error answers 500 before anything is recorded; a drawn lost answer
// (confirm and cancel) lets the request be handled and recorded, then holds
// the connection for --lost-answer-hang-ms and closes it without a byte of
// answer (Response::close_without_answer), so a client sees its own timeout
// when its timeout is shorter, else the connection closing.
#pragma once

// clang-format off: Regroup would sort it after Boost
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)
// clang-format on

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string>

#include "adapters/http/blocking_pool.hpp"
#include "adapters/http/message.hpp"
#include "pgsim/faults.hpp"
#include "pgsim/ledger.hpp"
#include "pgsim/webhook_sender.hpp"

namespace concert::pgsim {

struct ApiSettings {
  std::string secret;
  std::int64_t decline_over = 1'000'000;
  std::chrono::milliseconds lost_answer_hang{10'000};
};

class Api {
 public:
  // `webhooks` may be null (no --webhook-url).
  Api(ApiSettings settings, Ledger& ledger, Faults& faults, http::BlockingPool& pool, WebhookSender* webhooks);

  boost::asio::awaitable<http::Response> handle(http::Request request);
  // Cuts short the waits under way (latency, held lost answers), so a shutdown drains at once.
  void stop() { stopping_ = true; }

 private:
  boost::asio::awaitable<http::Response> gateway_call(const http::Request& request);
  boost::asio::awaitable<http::Response> confirm(const http::Request& request);
  boost::asio::awaitable<http::Response> cancel(const http::Request& request, const std::string& payment_key);
  boost::asio::awaitable<http::Response> lookup(const std::string& order_id);
  boost::asio::awaitable<http::Response> ledger_list();
  boost::asio::awaitable<void> pause(std::chrono::milliseconds duration);
  bool authorized(const http::Request& request) const;
  void report_charge(const Payment& payment);

  ApiSettings settings_;
  std::string expected_authorization_;
  Ledger& ledger_;
  Faults& faults_;
  http::BlockingPool& pool_;
  WebhookSender* webhooks_;
  std::atomic<bool> stopping_{false};
};

}  // namespace concert::pgsim
